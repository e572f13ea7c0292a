"""The ``community-sim`` command line: :mod:`.main` builds the parser from one module per
subcommand (:mod:`.run`, :mod:`.sweep`, :mod:`.economics`, :mod:`.verify_chain`,
:mod:`.app`), which share :mod:`.common`."""
