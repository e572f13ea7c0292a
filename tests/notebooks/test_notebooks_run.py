"""The notebooks run top to bottom on this install, in a kernel of this very Python (the venv's),
and fail the test on any error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: notebook -> least number of figures it must draw
EXPECTED_FIGURES = {
    "quickstart.ipynb": 4,
    "sweep.ipynb": 2,
    "chain.ipynb": 2,
    "gode_sunder_replication.ipynb": 3,
    "mechanisms.ipynb": 1,
    "learning.ipynb": 2,
    "adaptive_bidders.ipynb": 2,
}
KERNEL = "community-sim-test-python"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory) -> Path:
    """A kernelspec that starts ``sys.executable -m ipykernel_launcher``: the test's own Python,
    whatever kernels the machine has installed elsewhere."""
    folder = tmp_path_factory.mktemp("kernels")
    kernelspec.write_kernel_spec(folder / KERNEL, overrides={"display_name": "test kernel"})
    return folder


def execute(path: Path, kernel_dir: Path):
    notebook = nbformat.read(path, as_version=4)
    manager = AsyncKernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)])
    )
    client = nbclient.NotebookClient(
        notebook, km=manager, timeout=180, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    return notebook


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_notebook_runs_top_to_bottom(name, kernel_dir):
    path = NOTEBOOKS / name
    stored = nbformat.read(path, as_version=4)
    nbformat.validate(stored)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs for cell in code), "store notebooks without outputs"

    notebook = execute(path, kernel_dir)
    outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    stderr = "".join(out.text for out in outputs if out.get("name") == "stderr")
    assert "Traceback" not in stderr, stderr
    figures = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(figures) >= EXPECTED_FIGURES[name]


def test_the_kernel_is_this_python(kernel_dir):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")]
    )
    path = kernel_dir / "which.ipynb"
    nbformat.write(notebook, path)
    ran = execute(path, kernel_dir)
    assert ran.cells[0].outputs[0].text.strip() == sys.executable
