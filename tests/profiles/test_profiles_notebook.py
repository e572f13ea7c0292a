"""notebooks/economics.ipynb runs top to bottom (on a shortened period, to stay quick)."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "economics.ipynb"


def test_economics_notebook_runs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert "HOURS = 8760" in parameters.source and "N_PROSUMERS = 20" in parameters.source
    parameters.source = parameters.source.replace("HOURS = 8760", "HOURS = 24 * 7").replace(
        "N_PROSUMERS = 20", "N_PROSUMERS = 8"
    )
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": NOTEBOOK.parent}},
    )
    client.execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    images = [
        o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(images) >= 4
