"""Homes placed on the feeder's load buses, seeded."""

from __future__ import annotations

import hashlib
import json

import numpy as np


def placement_rng(rng_state: dict) -> np.random.Generator:
    """A generator for the placement, seeded from the model's rng state without drawing from
    it (SHA-256 of the state), so a run with a feeder keeps the grid-blind run's draws."""
    text = json.dumps(rng_state, sort_keys=True, default=str).encode()
    digest = hashlib.sha256(b"feeder placement\0" + text).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def place_homes(n_homes: int, load_buses: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The load bus of every home (pandapower bus indices).

    With at least as many load buses as homes, each home gets a bus of its own, drawn without
    replacement. With fewer, homes share: the buses are filled in turn (each gets
    ``n_homes // n_buses`` homes, the first ``n_homes % n_buses`` of a random order one more),
    and which home goes to which bus is a random permutation.

    Examples
    --------
    >>> bus = place_homes(5, np.array([10, 11]), np.random.default_rng(0))
    >>> sorted(np.bincount(bus - 10).tolist())
    [2, 3]
    """
    load_buses = np.asarray(load_buses)
    if n_homes <= len(load_buses):
        return rng.choice(load_buses, size=n_homes, replace=False)
    order = rng.permutation(load_buses)
    dealt = np.resize(order, n_homes)  # bus k of the order gets homes k, k + n, k + 2n, ...
    return dealt[rng.permutation(n_homes)]
