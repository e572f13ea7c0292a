"""The documentation's generated tables (parameters, bad inputs) and the command line stay true
to the code."""

import re
from pathlib import Path

import pandas as pd
import pytest

from community_model.commands.main import main
from community_model.outputs.files import CHAIN_FILE, FILES
from community_model.outputs.readme_tables import PAGE, readme_with_table

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_parameter_page_table_is_current():
    assert PAGE == DOCS / "parameters.md"
    text = PAGE.read_text()
    assert readme_with_table(text) == text, (
        "run: python -m community_model.outputs.readme_tables --write"
    )


def test_main_run_writes_the_five_files_with_the_original_row_counts(tmp_path, capsys):
    out = tmp_path / "results"
    assert (
        main(
            [
                "run",
                "--prosumers",
                "100",
                "--hours",
                "24",
                "--seed",
                "42",
                "--out",
                str(out),
                "--check-invariants",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "self-sufficiency" in printed and "invariants held for all 24 steps" in printed
    written = {p.name for p in out.iterdir()}
    assert {*FILES, CHAIN_FILE} <= written and not any(".tmp" in n for n in written)
    for name in ("prosumer_energy.csv", "prosumer_trading.csv", "regulator_actions.csv"):
        assert len((out / name).read_text().splitlines()) == 2401, name
    assert len((out / "community_summary.csv").read_text().splitlines()) == 25
    trades = pd.read_csv(out / "all_trades.csv")
    assert trades["trade_id"].is_unique
    energy = pd.read_csv(out / "prosumer_energy.csv")
    assert set(energy["hour"]) == set(range(24)) and energy["prosumer_id"].nunique() == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--prosumers", "0"], "n_prosumers must be an integer in [1, 1000000], got 0"),
        (["--battery-efficiency", "1.5"], "battery_efficiency must be a number in (0, 1], got 1.5"),
        (["--soc-min", "0.96"], "soc_min must be below soc_max"),
        (["--fee-mode", "flat"], "fee_mode must be one of 'per_kwh', 'quantity_scaled'"),
        (["--battery-share", "lots"], "battery_share must be a number in [0, 1], got 'lots'"),
        (["--hours", "-3"], "hours must be an integer >= 1"),
        (["--no-such-flag", "1"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_it(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        code = main(["run", "--out", str(tmp_path), *args])
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bad_input_page_table_is_current_and_every_case_fails_cleanly():
    from community_model.commands.bad_inputs import END, PAGE, START, table

    assert PAGE == DOCS / "bad-inputs.md"
    current = table()
    text = PAGE.read_text()
    shown = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == current, "run: python -m community_model.commands.bad_inputs --write"
    rows = current.splitlines()[2:]
    assert len(rows) >= 20
    for row in rows:
        what, command, code, message = re.match(
            r"^\| (.*?) \| `(.*?)` \| (\d+|ParameterError) \| (.*) \|$", row
        ).groups()
        assert code in {"1", "2", "ParameterError"}, row  # refused, not run
        assert message.strip() and "Traceback" not in message, row


def test_the_version_is_the_package_metadata(capsys):
    from importlib.metadata import version

    import community_model

    assert community_model.__version__ == version("prosumer-community-sim")
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"community-sim {community_model.__version__}"


def test_the_model_reporters_in_the_docs_are_the_summary_columns_in_order():
    """docs/output-files.md lists community_summary.csv's columns of a default run (three
    were missing and one out of place, found by comparing a run's files with the docs)."""
    from community_model import CommunityModel

    text = (DOCS / "output-files.md").read_text()
    paragraph = text[text.index("Model reporters (per step") : text.index("Run KPIs")]
    listed = [
        name.strip() for quoted in re.findall(r"`([^`]+)`", paragraph) for name in quoted.split(",")
    ]
    model = CommunityModel(n_prosumers=3, chain_enabled=False, rng=1)
    model.step()
    assert listed == list(model.step_frame().columns[2:])  # after hour and timestamp


def test_run_makes_the_out_folders_parents_or_fails_before_simulating(tmp_path, capsys):
    out = tmp_path / "missing" / "parents" / "results"  # failed after the run before
    assert main(["run", "--prosumers", "3", "--hours", "2", "--out", str(out)]) == 0
    assert (out / "community_summary.csv").exists()
    (tmp_path / "a_file").write_text("")
    capsys.readouterr()
    code = main(
        ["run", "--prosumers", "3", "--hours", "2", "--out", str(tmp_path / "a_file" / "r")]
    )
    printed = capsys.readouterr()
    assert code == 2 and "cannot write to" in printed.err
    assert "Community of" not in printed.out  # refused before the run, not after it
