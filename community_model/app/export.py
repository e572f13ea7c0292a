"""Downloads of a run: its frames, its parameters, its chain.

- :func:`frames_csv`, :func:`frames_parquet`: the per-step frame (``CommunityModel.step_frame``,
  the columns of ``steps.csv`` in a run's folder) of every step run so far;
- :func:`parameters_toml`: every parameter as a TOML table that ``community-sim run --config``
  reads back to the same :class:`~community_model.Parameters` (the seed and the number of steps
  are the command's flags, written in the file's first comment);
- :func:`chain_bytes`: the chain in the format of ``chain.jsonl`` (``chain.persistence``), which
  ``read_chain`` reads back.
"""

from __future__ import annotations

import io
import json
import math

from chain.persistence import block_line, file_header_line
from community_model import CommunityModel, Parameters


def frames_csv(model: CommunityModel) -> bytes:
    """The step frame as CSV (UTF-8)."""
    return model.step_frame().to_csv(index=False).encode()


def frames_parquet(model: CommunityModel) -> bytes:
    """The step frame as Parquet (pyarrow)."""
    buffer = io.BytesIO()
    model.step_frame().to_parquet(buffer, index=False)
    return buffer.getvalue()


def toml_value(value) -> str:
    """One TOML value: ``None`` as ``"none"`` (as :meth:`Parameters.read_toml` reads it)."""
    if value is None:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
        return repr(value)  # shortest text that reads back to the same float
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def parameters_toml(params: Parameters, seed: int | None, steps: int) -> str:
    """Every parameter under ``[parameters]``; the command that reproduces the run first."""
    flags = f" --seed {seed}" if seed is not None else ""
    lines = [
        f"# community-sim run --config THIS_FILE{flags} --hours {max(steps, 1)}",
        "[parameters]",
    ]
    lines += [f"{name} = {toml_value(value)}" for name, value in params.to_dict().items()]
    return "\n".join(lines) + "\n"


def chain_bytes(model: CommunityModel) -> bytes:
    """The chain as a ``chain.jsonl`` file (empty if the model keeps none)."""
    chain = getattr(model, "blockchain", None)
    if chain is None:
        return b""
    blocks = chain.blocks
    lines = [file_header_line(blocks[0].header.difficulty, len(blocks))]
    lines += [block_line(b) for b in blocks]
    return b"\n".join(lines) + b"\n"
