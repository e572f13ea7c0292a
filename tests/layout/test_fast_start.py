"""A fast start: importing the package loads no optional heavy dependency, a short run mines
with hashlib, and the files a run writes have an ordinary file's mode."""

import os
import subprocess
import sys

import pytest

from chain import pow as pow_module
from chain.atomic_files import ordinary_file_mode, write_atomic

HEAVY = ("pvlib", "demandlib", "dask", "distributed", "solara", "cryptography", "numba",
         "pandapower", "lightsim2grid", "pettingzoo", "gymnasium")  # fmt: skip


def modules_loaded_by(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_import_community_model_loads_no_heavy_optional_dependency():
    loaded = modules_loaded_by(
        "import community_model, agents, market, chain, community_model.learning.qlearning"
    )
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_heavy_dependencies_load_where_they_are_used():
    loaded = modules_loaded_by(
        "from community_model import CommunityModel\n"
        "CommunityModel(n_prosumers=3, profile_source='standard', rng=1).run_for(2)"
    )
    assert {"pvlib", "demandlib", "cryptography"} <= loaded
    assert "numba" not in loaded  # a two-hour run mines with hashlib


def test_a_short_run_mines_with_hashlib_and_a_long_one_loads_the_compiled_race(monkeypatch):
    if "chain.nonce_kernel" in sys.modules:
        pytest.skip("the compiled race is already loaded in this process")
    monkeypatch.setattr(pow_module, "_hashlib_spent", 0.0)
    assert pow_module._choose_race(3, 3) is pow_module._race_python
    monkeypatch.setattr(pow_module, "_hashlib_spent", pow_module.HASHLIB_BUDGET)
    assert pow_module._choose_race(3, 3) is pow_module._race_compiled


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_written_files_get_an_ordinary_mode_under_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        assert ordinary_file_mode() == 0o666 & ~umask
        path = write_atomic(tmp_path / "f.csv", lambda tmp: tmp.write_text("x"))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_a_failed_write_leaves_the_earlier_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("earlier")

    def fail(tmp):
        tmp.write_text("half")
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomic(path, fail)
    assert path.read_text() == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]
