"""Each row of the validation table (docs/validation.md) holds its published range."""

import pytest

from community_model.experiments import validation
from community_model.experiments.validation import ROWS, home_self_sufficiency, pilot_year

FAST_ROWS = [k for k, row in enumerate(ROWS) if "pilot" not in row.figure and not row.known_gap]


@pytest.mark.parametrize("index", FAST_ROWS, ids=[ROWS[k].figure for k in FAST_ROWS])
def test_row_is_in_its_published_range(index):
    row = ROWS[index]
    assert row.low <= row.simulated() <= row.high


@pytest.mark.xfail(
    strict=True, reason="H25 is a smoothed group profile; CREST households are in range (row 4)"
)
def test_pv_only_home_self_sufficiency_is_in_the_published_range():
    assert 25 <= 100 * home_self_sufficiency(1.0, 1e-9) <= 35


def test_a_battery_raises_self_sufficiency_by_the_published_margin():
    """Weniger et al. 2014: 1 kWh per MWh/a adds about 20-25 points to 1 kWp per MWh/a."""
    gain = home_self_sufficiency(1.0, 1.0) - home_self_sufficiency(1.0, 1e-9)
    assert 0.15 <= gain <= 0.30


def test_quartierstrom_pilot_over_five_seeds():
    """Published (Ableitner et al. 2020): self-sufficiency 33 %, self-consumption about 60 %.

    Five simulated years of 37 homes (about a minute: the slowest test of the suite)."""
    sufficiency, consumption = pilot_year(validation.PILOT_SEEDS)
    assert len(validation.PILOT_SEEDS) >= 5
    assert 0.30 <= sufficiency <= 0.36
    assert 0.55 <= consumption <= 0.65


def test_the_validation_page_is_current():
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "validation.md").read_text()
    for row in ROWS:
        assert row.figure in page and row.source in page
