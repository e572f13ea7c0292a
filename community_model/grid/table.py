"""What the feeder changes, over seeds: ``python -m community_model.grid.table``.

Runs the same community grid-blind (no feeder), with the feeder but blind trading, with
distance fees and with limits enforced, for several seeds, and prints a markdown table of the
means (and spread) of voltage violations, overloads, curtailed PV, P2P share, cost and losses.
docs/grid.md holds its output.
"""

from __future__ import annotations

import argparse

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
    "p2p_share": "P2P share [-]",
    "energy_cost_eur": "energy cost [EUR]",
    "feeder_losses_kwh": "losses [kWh]",
}


def run_table(settings: dict, seeds: list[int], hours: int) -> pd.DataFrame:
    """One row per mode and seed: the run's KPIs named in :data:`COLUMNS`."""
    rows = []
    for mode, extra in MODES.items():
        for seed in seeds:
            grid = {} if not extra else {"grid": settings["grid"], **extra}
            base = {k: v for k, v in settings.items() if k != "grid"}
            model = CommunityModel(**base, **grid, rng=seed)
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


SETTINGS = dict(
    grid="radial", n_prosumers=100, grid_homes_per_bus=2, grid_radial_branches=2,
    profile_source="standard", start_date="2023-06-01", chain_enabled=False,
)  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=int, default=168)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    frame = run_table(SETTINGS, list(range(1, args.seeds + 1)), args.hours)
    settings = ", ".join(f"{k}={v!r}" for k, v in SETTINGS.items())
    print(f"{args.hours} h from {SETTINGS['start_date']}, seeds 1-{args.seeds}; {settings}\n")
    print(markdown(frame))


if __name__ == "__main__":
    main()
