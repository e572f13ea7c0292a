"""Each optional extra, when missing, is one line naming the extra to install (issue 21).

The extras' modules are hidden from ``importlib.util.find_spec`` (how the package looks for
them) rather than uninstalled."""

from __future__ import annotations

import importlib
import importlib.util
import sys

import pytest

from community_model.extras import EXTRAS, MissingExtraError
from community_model.parameters import Parameters


@pytest.fixture
def hide(monkeypatch):
    """hide(extra): its modules look uninstalled."""
    real = importlib.util.find_spec

    def hide_extra(extra: str) -> None:
        hidden = set(EXTRAS[extra])
        monkeypatch.setattr(
            importlib.util, "find_spec",
            lambda name, *a, **k: None if name in hidden else real(name, *a, **k),
        )  # fmt: skip

    return hide_extra


@pytest.mark.parametrize(
    "extra, kwargs",
    [("grid", {"grid": "radial"}), ("crest", {"household_load_model": "crest"})],
)
def test_a_parameter_that_needs_a_missing_extra_is_refused_naming_it(hide, extra, kwargs):
    hide(extra)
    with pytest.raises(MissingExtraError) as err:
        Parameters(**kwargs)
    message = str(err.value)
    assert "\n" not in message and f"optional extra '{extra}'" in message
    assert f"pip install 'prosumer-community-sim[{extra}]'" in message


def test_the_command_line_prints_it_as_one_line_with_status_2(hide, capsys, tmp_path):
    from community_model.commands.main import main

    hide("grid")
    try:
        code = main(["run", "--grid", "radial", "--hours", "1", "--out", str(tmp_path / "out")])
    except SystemExit as exit_info:  # refused while the arguments are read
        code = exit_info.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "optional extra 'grid'" in err
    assert not (tmp_path / "out").exists()


def test_the_learning_environments_need_their_extra(hide, monkeypatch):
    hide("learning")
    for name in ("community_model.learning.env", "community_model.learning.gym_env"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(MissingExtraError, match=r"optional extra 'learning'"):
        importlib.import_module("community_model.learning.env")


def test_nothing_is_refused_when_the_extras_are_installed():
    assert Parameters(grid="radial").grid == "radial"
    assert Parameters(household_load_model="crest").household_load_model == "crest"
