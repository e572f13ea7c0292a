"""Imported once by the sweep's fork server (see ``sweeps._process_context``).

The model's modules and the compiled proof of work (:func:`chain.pow.warm_up`) are loaded
there, so every worker forked from the server starts with both instead of loading them again
before its first run (about 1 s of imports and 0.3 s of numba cache per worker).
"""

import community_model.model  # noqa: F401  (imported for the workers it is forked into)
from chain.pow import warm_up

warm_up()
