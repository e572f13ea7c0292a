"""Parameter files: valid ones load, anything else is one clear ParameterError (fuzzed)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community_model import ParameterError, Parameters
from community_model.commands.main import main


def test_a_file_and_flags_combine(tmp_path, capsys):
    config = tmp_path / "scenario.toml"
    config.write_text('[parameters]\nn_prosumers = 12\nobjective = "maximize_p2p"\n'
                      'battery_power_kw = "none"\n')  # fmt: skip
    values = Parameters.read_toml(config)
    assert values == {"n_prosumers": 12, "objective": "maximize_p2p", "battery_power_kw": None}
    assert main(["run", "--config", str(config), "--prosumers", "7", "--hours", "2",
                 "--no-files"]) == 0  # fmt: skip
    assert "Community of 7 prosumers" in capsys.readouterr().out  # the flag wins


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=300))
def test_random_bytes_give_a_parameter_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "p.toml"
    path.write_bytes(content)
    try:
        Parameters.read_toml(path)
    except ParameterError as err:
        assert "\n" not in str(err).strip()


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(Parameters.names()),
    value=st.one_of(
        st.integers(-10**6, 10**6), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
        st.booleans(), st.lists(st.floats(-5, 5), max_size=30),
    ),
)  # fmt: skip
def test_any_value_is_accepted_or_refused_by_name(key, value):
    try:
        Parameters.from_mapping({key: value})
    except ParameterError as err:
        assert key in str(err) or "soc" in str(err) or "weather" in str(err), str(err)


def test_a_table_that_is_not_parameters(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("parameters = 3\n")
    with pytest.raises(ParameterError, match=r"\[parameters\] must be a table"):
        Parameters.read_toml(path)


def test_a_byte_order_mark_is_read(tmp_path):
    """Windows editors start UTF-8 files with one (refused as bad TOML before)."""
    path = tmp_path / "p.toml"
    path.write_bytes(b"\xef\xbb\xbfn_prosumers = 5\n")
    assert Parameters.read_toml(path) == {"n_prosumers": 5}
