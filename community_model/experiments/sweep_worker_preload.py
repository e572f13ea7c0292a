"""Imported once by the sweep's fork server (see ``sweeps._process_context``).

The model's modules and the compiled proof of work (:func:`chain.warm_up.warm_up`) are loaded
there, so every worker forked from the server starts with both. Without the warm-up each
worker would load numba's cached race before its first block (about 0.3 s per worker).
"""

import community_model.model  # noqa: F401  (imported for the workers it is forked into)
from chain.warm_up import warm_up

warm_up()
