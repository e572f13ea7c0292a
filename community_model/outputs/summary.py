"""The short printed summary of a run."""

from __future__ import annotations


def summary_report(model) -> str:
    """A few lines a researcher reads first: energy, trading, money, battery."""
    k = model.kpis()
    p = model.params
    lines = [
        f"Community of {p.n_prosumers} prosumers, {model.steps} steps of {p.step_hours:g} h "
        f"(pricing {p.pricing_strategy}, clearing {p.clearing_mechanism})",
        f"  energy    PV {k['pv_kwh']:.1f} kWh, load {k['load_kwh']:.1f} kWh, "
        f"self-sufficiency {k['self_sufficiency']:.1%}, self-consumption "
        f"{k['self_consumption']:.1%}",
        f"  trading   P2P {k['p2p_kwh']:.1f} kWh in {k['p2p_trades']} trades "
        f"(avg {k['avg_p2p_price']:.4f} EUR/kWh), grid import {k['grid_import_kwh']:.1f} kWh, "
        f"export {k['grid_export_kwh']:.1f} kWh in {k['market_trades']} market trades, "
        f"P2P share {k['p2p_share']:.1%}",
        f"  money     community net cost {k['community_net_cost_eur']:.2f} EUR, savings vs no "
        f"P2P {k['savings_eur']:.2f} EUR, Gini of net costs {k['gini_net_cost']:.3f}",
        f"  battery   throughput {k['battery_throughput_kwh']:.1f} kWh, losses "
        f"{k['battery_loss_kwh']:.1f} kWh; peak grid import {k['peak_grid_import_kwh']:.1f} kWh",
        _regulator_line(model),
        *_chain_lines(model),
    ]
    return "\n".join(lines)


def _chain_lines(model) -> list[str]:
    chain = model.blockchain
    if chain is None:
        return ["  chain     disabled"]
    k = model.kpis()
    n_tx = sum(len(b.transactions) for b in chain.blocks)
    lines = [
        f"  chain     {chain.height} blocks after genesis, {n_tx} transactions, difficulty "
        f"{chain.difficulty}, {k['hashes']:,} hashes tried, {k['block_rewards_eur']:.2f} EUR "
        "in block rewards",
        f"            tip {chain.tip.hash.hex()} (publish it: verify-chain --tip)",
        "  miners    id  hash rate [MH/s]  blocks  reward [EUR]  hashes tried",
    ]
    miners = model.miner_frame().sort_values(["blocks_won", "miner_id"], ascending=[False, True])
    for m in miners.itertuples():
        lines.append(
            f"            {m.miner_id:<3} {m.hash_rate / 1e6:>16.2f}  {m.blocks_won:>6}  "
            f"{m.reward_eur:>12.2f}  {m.hashes_tried:>12,}"
        )
    return lines


def _regulator_line(model) -> str:
    reg, frame = model.regulator, model.step_frame()
    if reg.objective == "none":
        return "  regulator objective none: no bonuses, penalties or bans"
    return (
        f"  regulator objective {reg.objective}: bonuses paid {reg.bonus_paid_eur:.2f} EUR, "
        f"penalties collected {reg.penalty_collected_eur:.2f} EUR, {reg.bans_issued} bans "
        f"({int(frame['banned'].sum())} prosumer-hours banned); flexible load waiting at the "
        f"end {model.state.deferred_kwh.sum():.1f} kWh"
    )
