"""Small array helpers the hour calls many times on short arrays."""

from __future__ import annotations

import numpy as np


def clip(values, low, high) -> np.ndarray:
    """``np.clip(values, low, high)``: the same numbers (NaN stays NaN, and ``high`` wins when
    ``low > high``) without ``np.clip``'s Python wrapper, which costs about 4 us a call, more
    than clipping a few hundred values.

    Examples
    --------
    >>> clip(np.array([0.05, 0.15, 0.30]), 0.1, 0.2).tolist()
    [0.1, 0.15, 0.2]
    """
    return np.minimum(np.maximum(values, low), high)
