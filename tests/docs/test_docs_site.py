"""The documentation site builds offline with no warning, and the README stays short."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_the_site_builds_offline_with_warnings_as_errors(tmp_path):
    out = tmp_path / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    for page in ("index", "parameters", "bad-inputs", "api", "hour", "chain", "regulator",
                 "sweeps", "real-data", "output-files", "benchmarks", "invariants"):  # fmt: skip
        assert (out / f"{page}.html").is_file(), page
    api = (out / "api.html").read_text()
    assert "CommunityModel" in api and "run_sweep" in api  # autodoc found the docstrings
    index = (out / "index.html").read_text()
    for page in ("mechanisms", "grid", "trust", "changelog", "notebooks"):
        assert f'href="{page}.html"' in index, page
    # the notebooks, run by myst-nb and shown with their figures
    for name in ("quickstart", "sweep", "chain", "mechanisms", "learning"):
        page = (out / "notebooks" / f"{name}.html").read_text()
        assert page.count("<img") >= 1, name


def test_a_new_page_is_listed_on_the_index_by_itself():
    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    listed = (DOCS / "index.md").read_text()
    source = [listed]
    conf._more_topics(None, "index", source)
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index"}
    shown = conf._listed(source[0])
    assert pages <= shown, pages - shown
    other = ["not the index"]
    conf._more_topics(None, "hour", other)
    assert other == ["not the index"]


def readme_words(text: str) -> int:
    """Words a reader reads: prose, tables and code, without HTML comments and link targets."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # [label](target) -> [label]
    return len(text.split())


def test_the_readme_is_at_most_1500_words_and_names_nothing_outside_the_repository():
    text = (ROOT / "README.md").read_text()
    words = readme_words(text)
    assert words <= 1500, f"README.md has {words} words; move detail to a page of docs/"
    assert "SPEC" not in text, "SPEC is not in the repository: say what is meant"
    assert not re.search(r"\bthe original\b", text, flags=re.IGNORECASE), (
        "say 'the system this simulator grew from' or drop it"
    )
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not re.match(r"https?://", target):
            assert (ROOT / target).exists(), f"README links to a missing file: {target}"
