"""Imported once by the sweep's fork server (see ``sweeps._process_context``).

The model's modules and the compiled proof of work (:func:`chain.warm_up.warm_up`) are loaded
there, so every worker forked from the server starts with both. Without the warm-up each
worker would load numba's cached race before its first block (about 0.3 s per worker).

The fork server also ends when the driver that started it dies (a ``kill -9`` of the sweep):
see :func:`community_model.experiments.sweeps.die_with_parent`.
"""

import community_model.model  # noqa: F401  (imported for the workers it is forked into)
from chain.warm_up import warm_up
from community_model.experiments.sweeps import die_with_parent

die_with_parent()
warm_up()
