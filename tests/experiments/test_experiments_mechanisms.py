"""The mechanism comparison: its page is current, and the designs differ as their papers say."""

from pathlib import Path

import pytest

from community_model.experiments import mechanisms
from community_model.outputs.readme_tables import replace_between

PAGE = Path(__file__).resolve().parents[2] / "docs" / "mechanisms.md"


@pytest.fixture(scope="module")
def runs():
    return mechanisms.comparison()


def test_the_page_shows_the_current_table(runs):
    text = PAGE.read_text()
    current = replace_between(
        text, mechanisms.START, mechanisms.END, mechanisms.markdown_table(runs)
    )
    hint = "run: python -m community_model.experiments.mechanisms --write docs/mechanisms.md"
    assert current == text, hint


def test_mechanisms_differ_in_the_directions_their_properties_predict(runs):
    mean = runs.groupby(["mechanism", "strategy"]).mean(numeric_only=True)
    # Truthful merit-order clearing of the seed rule's crossing book realises every gain.
    assert mean.loc[("uniform", "seed"), "efficiency"] == pytest.approx(1.0)
    # McAfee and Huang give up the marginal trades to buy incentive compatibility.
    assert mean.loc[("trade_reduction", "seed"), "efficiency"] < 1.0
    assert mean.loc[("huang", "seed"), "efficiency"] < mean.loc[("uniform", "seed"), "efficiency"]
    # Budget balance: one-price designs keep nothing, discriminatory and reducing ones keep > 0.
    assert abs(mean.loc[("pay_as_clear", "seed"), "operator_surplus_eur"]) < 1e-9
    assert mean.loc[("pay_as_bid", "seed"), "operator_surplus_eur"] > 0
    assert mean.loc[("trade_reduction", "seed"), "operator_surplus_eur"] > 0
    # Pay-as-bid buyers pay their bids: above the one-price designs' mean price.
    assert (
        mean.loc[("pay_as_bid", "seed"), "mean_price"] > mean.loc[("uniform", "seed"), "mean_price"]
    )
    # Gode & Sunder: ZI-C traders do far better in the continuous auction than in one call.
    assert mean.loc[("cda", "zic"), "efficiency"] > mean.loc[("uniform", "zic"), "efficiency"] + 0.1


@pytest.fixture(scope="module")
def strategic():
    return mechanisms.strategic_comparison()


def test_the_page_shows_the_current_strategic_table(strategic):
    text = PAGE.read_text()
    table = mechanisms.markdown_table(strategic, mechanisms.STRATEGIC_COLUMNS)
    current = replace_between(text, mechanisms.STRATEGIC_START, mechanisms.STRATEGIC_END, table)
    assert current == text, "run: python -m community_model.experiments.mechanisms --write " \
        "docs/mechanisms.md"  # fmt: skip


def test_designs_differ_under_strategic_bidders(strategic):
    assert strategic["seed"].nunique() >= 10
    paired = strategic.pivot_table(
        index=["strategy", "seed"], columns="mechanism",
        values=["p2p_kwh", "mean_price", "traders_surplus_eur"],
    )  # fmt: skip
    for strategy in ("zic", "zip"):
        runs = paired.loc[strategy]
        # McAfee's reduction gives up trades and the operator keeps the gap: fewer kWh and
        # less for the traders than the one-price design, on every seed
        assert (runs["p2p_kwh", "trade_reduction"] < runs["p2p_kwh", "uniform"]).all()
        assert (
            runs["traders_surplus_eur", "trade_reduction"] < runs["traders_surplus_eur", "uniform"]
        ).all()
        # the original mid-price rule and the k-double auction price differently
        gap = (runs["mean_price", "seed"] - runs["mean_price", "uniform"]).abs()
        assert (gap > 1e-3).all()
    # adaptive bidders learn from the prices they see, so even the quantities of the two
    # one-price designs part (with ZI-C they cannot: the same book crosses in both)
    zip_runs = paired.loc["zip"]
    kwh_gap = (zip_runs["p2p_kwh", "seed"] - zip_runs["p2p_kwh", "uniform"]).abs()
    assert (kwh_gap > 0.1).sum() >= 5
    surplus_gap = (
        zip_runs["traders_surplus_eur", "seed"] - zip_runs["traders_surplus_eur", "uniform"]
    ).abs()
    assert (surplus_gap > 0.01).sum() >= 5
    zic_runs = paired.loc["zic"]
    assert (zic_runs["p2p_kwh", "seed"] - zic_runs["p2p_kwh", "uniform"]).abs().max() < 1e-6
