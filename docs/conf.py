"""Sphinx configuration of the documentation site (``make docs``).

The pages are Markdown (MyST); the API page is written by autodoc from the docstrings, read in
NumPy style by napoleon; the notebooks of ``notebooks/`` are copied into ``docs/notebooks/`` and
rendered with their outputs by myst-nb, which runs them in a kernel of this very Python.
Nothing is fetched from the network (no intersphinx), so the site builds offline; CI builds it
with warnings as errors (``sphinx-build -W``)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout's packages, installed or not

import community_model  # noqa: E402

project = "Prosumer community simulator"
author = "The prosumer-community-sim authors"
copyright = "the prosumer-community-sim authors (MIT licence)"
release = community_model.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "jupyter_execute"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = True

# --- notebooks: copied from notebooks/ and run at build time (stored without outputs) --------
NOTEBOOK_SOURCE = HERE.parent / "notebooks"
NOTEBOOK_PAGES = HERE / "notebooks"
#: A year of four scenarios: too slow to run at every build; shown with its code only.
NOT_EXECUTED = ("economics.ipynb",)


def _copy_notebooks() -> None:
    """docs/notebooks/ = the repository's notebooks (a generated folder, not committed)."""
    NOTEBOOK_PAGES.mkdir(exist_ok=True)
    for stale in NOTEBOOK_PAGES.glob("*.ipynb"):
        stale.unlink()
    for notebook in sorted(NOTEBOOK_SOURCE.glob("*.ipynb")):
        shutil.copy2(notebook, NOTEBOOK_PAGES / notebook.name)


def _this_python_kernel() -> None:
    """The notebooks name the kernel ``python3``: make it this Python (with the project), not
    whatever ``python`` comes first on PATH, by a kernelspec on JUPYTER_PATH."""
    from ipykernel.kernelspec import write_kernel_spec

    folder = Path(tempfile.mkdtemp(prefix="docs-kernels-"))
    write_kernel_spec(folder / "kernels" / "python3", overrides={"display_name": "docs kernel"})
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )


_copy_notebooks()
_this_python_kernel()
nb_execution_mode = "cache"
nb_execution_excludepatterns = [f"notebooks/{name}" for name in NOT_EXECUTED]
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True

html_theme = "alabaster"
html_title = f"{project} {release}"
html_static_path: list[str] = []

# Links to the repository's own files outside docs/ (code, notebooks) are plain code spans in
# the pages; a page of another topic added to docs/ later is listed under "More topics" on the
# index by itself (see _more_topics), so a new page never breaks the build.


def _listed(index_text: str) -> set[str]:
    return set(re.findall(r"^([\w./-]+?)(?:\.md)?$", index_text, flags=re.MULTILINE))


def _more_topics(app, docname: str, source: list[str]) -> None:
    """Append to the index a toctree of every page of docs/ that no toctree of the index lists."""
    if docname != root_doc:
        return
    listed = _listed(source[0])
    pages = sorted(
        p.relative_to(HERE).with_suffix("").as_posix()
        for p in HERE.glob("*.md")
        if p.stem not in {root_doc, "README"}
    )
    extra = [p for p in pages if p not in listed]
    if extra:
        source[0] += "\n```{toctree}\n:caption: More topics\n:maxdepth: 1\n\n"
        source[0] += "\n".join(extra) + "\n```\n"


def setup(app) -> None:
    app.connect("source-read", _more_topics)
