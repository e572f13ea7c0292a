"""notebooks/economics.ipynb runs top to bottom, on a shortened period to stay quick (its
parameter cell is edited before the run), in a kernel of this very Python."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "economics.ipynb"
KERNEL = "community-sim-economics-test"


def test_economics_notebook_runs(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs for cell in code), "store notebooks without outputs"
    parameters = next(c for c in code if "parameters" in c.metadata.get("tags", []))
    assert "HOURS = 8760" in parameters.source and "N_PROSUMERS = 20" in parameters.source
    parameters.source = parameters.source.replace("HOURS = 8760", "HOURS = 24 * 7").replace(
        "N_PROSUMERS = 20", "N_PROSUMERS = 8"
    )
    kernelspec.write_kernel_spec(tmp_path / KERNEL, overrides={"display_name": "test kernel"})
    manager = AsyncKernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path)])
    )
    client = nbclient.NotebookClient(
        notebook, km=manager, timeout=300, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    stderr = "".join(out.text for out in outputs if out.get("name") == "stderr")
    assert "Traceback" not in stderr, stderr
    assert len([out for out in outputs if "image/png" in out.get("data", {})]) >= 4
