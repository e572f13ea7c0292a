"""Static figures of a run (matplotlib, object-oriented API; no pyplot state).

``python -m community_model.outputs.plots --out docs/day.png`` draws the README's picture of one
simulated day of the default community.
"""

from __future__ import annotations

import argparse

from matplotlib.figure import Figure


def day_figure(model) -> Figure:
    """Energy flows, battery state of charge and prices of a run, hour by hour."""
    frame = model.step_frame()
    hours = frame["hour"]
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    flows, soc, prices = fig.subplots(3, 1, sharex=True, height_ratios=[2.2, 1, 1])
    flows.plot(hours, frame["pv_kwh"], color="gold", label="PV")
    flows.plot(hours, frame["load_kwh"], color="tab:red", label="load")
    flows.bar(hours, frame["p2p_kwh"], color="tab:green", alpha=0.7, label="P2P traded")
    flows.bar(hours, -frame["grid_import_kwh"], color="tab:purple", alpha=0.6,
              label="grid import (down)")  # fmt: skip
    flows.bar(hours, frame["grid_export_kwh"], bottom=frame["p2p_kwh"], color="tab:cyan",
              alpha=0.5, label="grid export")  # fmt: skip
    flows.set_ylabel("community energy [kWh]")
    flows.legend(ncols=5, fontsize="small", loc="upper left")
    soc.plot(hours, frame["mean_soc"], color="tab:blue")
    soc.set_ylabel("mean SOC [-]")
    soc.set_ylim(0, 1)
    prices.plot(hours, frame["grid_buy_price"], color="tab:red", label="grid buy")
    prices.plot(hours, frame["grid_sell_price"], color="tab:blue", label="grid sell")
    prices.plot(hours, frame["avg_p2p_price"], "o-", color="tab:green", label="mean P2P")
    prices.set_ylabel("price [EUR/kWh]")
    prices.set_xlabel("hour")
    prices.legend(ncols=3, fontsize="small")
    k = model.kpis()
    fig.suptitle(
        f"{model.params.n_prosumers} prosumers, one day: self-sufficiency "
        f"{k['self_sufficiency']:.0%}, P2P share {k['p2p_share']:.0%}, "
        f"{k['blocks_mined']} blocks mined"
    )
    return fig


if __name__ == "__main__":
    from community_model import CommunityModel

    parser = argparse.ArgumentParser(description="draw one simulated day")
    parser.add_argument("--out", default="docs/day.png")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    model = CommunityModel(rng=args.seed)
    model.run_for(24)
    day_figure(model).savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
