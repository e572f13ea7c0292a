"""The reference runs write byte-identical files to those recorded (see reference_outputs.py)."""

import json

import pytest
from reference_outputs import CASES, RECORD, run_case


@pytest.mark.parametrize("name", sorted(CASES))
def test_reference_run_writes_the_recorded_files(name, tmp_path):
    recorded = json.loads(RECORD.read_text())[name]
    assert run_case(CASES[name], tmp_path / name) == recorded
