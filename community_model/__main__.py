"""``python -m community_model`` is the ``community-sim`` command."""

import sys

from community_model.cli import main

sys.exit(main())
