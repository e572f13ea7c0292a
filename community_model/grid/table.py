"""What the feeder changes, over seeds: ``python -m community_model.grid.table``.

Runs the present-day community (scenario ``germany_2024``) on a feeder four ways: grid-blind
(no feeder), with the feeder but blind trading, with distance fees and with limits enforced,
for several seeds, on two feeders: the default generated radial feeder (strong cables: its
limits never bind) and a weak one (thin cables, few strands: PV pushes voltages past the band
on sunny hours). Prints, or writes into ``docs/grid.md`` between its markers (``--write``), a
markdown table of the means (and spread) of voltage violations, overloads, curtailed PV,
reduced P2P trades, P2P share, cost and losses.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

from community_model import CommunityModel

MODES = {
    "no feeder": {},
    "feeder, blind": {"network_mode": "blind"},
    "distance fees": {"network_mode": "distance_fees"},
    "limits enforced": {"network_mode": "enforce_limits"},
}
COLUMNS = {
    "hours_outside_voltage_band": "hours outside +-10 %",
    "hours_overloaded": "hours overloaded",
    "max_voltage_pu": "highest voltage [pu]",
    "peak_trafo_loading_pct": "trafo peak [%]",
    "curtailed_kwh": "curtailed PV [kWh]",
    "reduced_p2p_kwh": "P2P cut [kWh]",
    "p2p_share": "P2P share [-]",
    "energy_cost_eur": "energy cost [EUR]",
    "feeder_losses_kwh": "losses [kWh]",
}
#: The community and its period: a June week of 100 present-day homes.
COMMUNITY = dict(n_prosumers=100, start_date="2023-06-01", chain_enabled=False)
#: The feeders compared (parameters of ``grid='radial'``).
FEEDERS = {
    "default radial feeder (4 strands of NAYY 4x150, 30 m between buses, 2 homes a bus)": {
        "grid": "radial",
    },
    "weak radial feeder (2 strands of NAYY 4x50, 40 m between buses, 2 homes a bus)": {
        "grid": "radial",
        "grid_radial_branches": 2,
        "grid_line_type": "NAYY 4x50 SE",
        "grid_line_length_m": 40.0,
    },
}
SCENARIO = "germany_2024"
START, END = "<!-- grid-table:start -->", "<!-- grid-table:end -->"


def run_table(feeder: dict, seeds: list[int], hours: int) -> pd.DataFrame:
    """One row per mode and seed: the run's KPIs named in :data:`COLUMNS`."""
    rows = []
    for mode, extra in MODES.items():
        for seed in seeds:
            grid = {} if not extra else {**feeder, **extra}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the scenario's notes on its data
                model = CommunityModel.from_scenario(SCENARIO, **COMMUNITY, **grid, rng=seed)
            model.run_for(hours)
            kpis = model.kpis()
            rows.append({"mode": mode, "seed": seed, **{c: kpis.get(c, float("nan"))
                                                      for c in COLUMNS}})  # fmt: skip
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame) -> str:
    """Mean over seeds, with the range (min-max) where the seeds differ."""
    lines = ["| mode | " + " | ".join(COLUMNS.values()) + " |",
             "| --- |" + " ---: |" * len(COLUMNS)]  # fmt: skip
    for mode, group in frame.groupby("mode", sort=False):
        cells = []
        for column in COLUMNS:
            values = group[column]
            if values.isna().all():
                cells.append("-")
                continue
            digits = 3 if column in ("p2p_share", "max_voltage_pu") else 1
            text = f"{values.mean():.{digits}f}"
            if values.max() - values.min() > 10**-digits:
                text += f" ({values.min():.{digits}f}-{values.max():.{digits}f})"
            cells.append(text)
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def tables(seeds: int, hours: int) -> str:
    """Every feeder's table, each under a line that says what was run."""
    parts = []
    for name, feeder in FEEDERS.items():
        frame = run_table(feeder, list(range(1, seeds + 1)), hours)
        parts.append(
            f"**{name}**: scenario `{SCENARIO}`, {COMMUNITY['n_prosumers']} homes, {hours} h "
            f"from {COMMUNITY['start_date']}, seeds 1-{seeds}, means (range over seeds).\n\n"
            + markdown(frame)
        )
    return "\n\n".join(parts)


def write(path: Path, text: str) -> None:
    """Replace what stands between :data:`START` and :data:`END` in ``path``."""
    page = path.read_text()
    if START not in page or END not in page:
        raise ValueError(f"the markers {START} ... {END} are not in {path}")
    head, rest = page.split(START, 1)
    path.write_text(f"{head}{START}\n{text}\n{END}{rest.split(END, 1)[1]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=168)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--write", type=Path, help="Markdown page to refresh (docs/grid.md)")
    args = parser.parse_args(argv)
    text = tables(args.seeds, args.hours)
    if args.write:
        write(args.write, text)
    else:
        print(text)


if __name__ == "__main__":
    main()
