"""Reference tables generated from the code, so the documentation cannot drift from it.

``python -m community_model.outputs.readme_tables --write`` refreshes the parameter table of
``docs/parameters.md`` (``--write FILE`` the one between the same markers in FILE)."""

from __future__ import annotations

from pathlib import Path

from community_model.parameters import Parameters

#: The documentation folder of a source checkout (the pages the tables are written into).
DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "parameters.md"


def _shown(default) -> str:
    if isinstance(default, tuple):
        if len(default) > 10:
            return f"{len(default)} values (see `Parameters`)"
        return ", ".join(f"{v:g}" for v in default)
    return "None" if default is None else f"{default}"


def parameter_table() -> str:
    """The parameter table of ``docs/parameters.md`` (markdown)."""
    rows = ["| parameter | default | unit | meaning | allowed |", "| --- | --- | --- | --- | --- |"]
    for r in Parameters.describe():
        cells = [f"`{r['name']}`", _shown(r["default"]), r["unit"], r["doc"], r["allowed"]]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def replace_between(text: str, start: str, end: str, content: str) -> str:
    """``text`` with what stands between the markers ``start`` and ``end`` replaced."""
    if start not in text or end not in text:
        raise ValueError(f"the markers {start} ... {end} are not in the file")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"


def readme_with_table(text: str) -> str:
    """``text`` with the part between the parameter markers replaced by the current table."""
    return replace_between(text, START, END, parameter_table())


def main(make_table, start: str = START, end: str = END, page: Path = PAGE) -> None:
    """``--write [FILE]`` refreshes the table between the markers in FILE (default ``page``);
    else print it."""
    main_tables([(make_table, start, end)], page)


def main_tables(tables, page: Path = PAGE) -> None:
    """:func:`main` for a page of several tables: ``tables`` is ``[(make_table, start, end),
    ...]``; ``--write [FILE]`` refreshes each between its markers, else all are printed."""
    import sys

    if sys.argv[1:2] == ["--write"]:
        path = Path(sys.argv[2]) if len(sys.argv) > 2 else page
        text = path.read_text()
        for make_table, start, end in tables:
            text = replace_between(text, start, end, make_table())
        path.write_text(text)
    else:
        print(*(make_table() for make_table, _, _ in tables), sep="\n\n")


if __name__ == "__main__":
    main(parameter_table)
