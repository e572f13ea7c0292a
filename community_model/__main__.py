"""``python -m community_model`` is the ``community-sim`` command."""

import sys

from community_model.commands.main import main

sys.exit(main())
