"""Each regulator rate has a monotone dose-response on the KPI its objective aims at."""

import pytest

from community_model.experiments import levers


@pytest.fixture(scope="module")
def zic_runs():
    return levers.dose_response(strategies=("zic",), seeds=range(3))


@pytest.mark.parametrize(("objective", "rate", "kpi", "direction"), levers.LEVERS)
def test_a_regulator_rate_moves_its_kpi_monotonically(zic_runs, objective, rate, kpi, direction):
    runs = zic_runs[(zic_runs["objective"] == objective) & (zic_runs["rate"] == rate)]
    by_level = runs.groupby("level").mean(numeric_only=True).sort_index()
    means = by_level["value"].to_numpy()
    assert levers.is_monotone(means, direction), means
    assert (means[-1] - means[0]) * direction > 0.002, means  # it moves the KPI
    # through the market: the rate's top level trades clearly more between neighbours
    assert by_level["p2p_kwh"].iloc[-1] > 1.05 * by_level["p2p_kwh"].iloc[0], by_level


def test_the_monotone_check_can_fail():
    assert levers.is_monotone([0.1, 0.2, 0.2, 0.3])
    assert not levers.is_monotone([0.1, 0.3, 0.2, 0.4])
    assert levers.is_monotone([0.4, 0.3], direction=-1)


@pytest.fixture(scope="module")
def present_day_zic_runs():
    return levers.present_day_response(strategies=("zic",), seeds=range(3))


@pytest.mark.parametrize(("objective", "rate", "kpi", "direction"), levers.LEVERS)
def test_each_rate_moves_its_kpi_monotonically_on_the_present_day_scenario(
    present_day_zic_runs, objective, rate, kpi, direction
):
    runs = present_day_zic_runs
    runs = runs[(runs["objective"] == objective) & (runs["rate"] == rate)]
    by_level = runs.groupby("level").mean(numeric_only=True).sort_index()
    means = by_level["value"].to_numpy()
    assert levers.is_monotone(means, direction), means
    assert (means[-1] - means[0]) * direction > 0.001, means
    assert by_level["p2p_kwh"].iloc[-1] > 1.01 * by_level["p2p_kwh"].iloc[0], by_level
