"""Reference tables generated from the code, so the README cannot drift from it."""

from __future__ import annotations

from community_model.parameters import Parameters


def _shown(default) -> str:
    if isinstance(default, tuple):
        if len(default) > 10:
            return f"{len(default)} values (SPEC section 4)"
        return ", ".join(f"{v:g}" for v in default)
    return "None" if default is None else f"{default}"


def parameter_table() -> str:
    """The README's parameter table (markdown)."""
    rows = ["| parameter | default | unit | meaning | allowed |", "| --- | --- | --- | --- | --- |"]
    for r in Parameters.describe():
        cells = [f"`{r['name']}`", _shown(r["default"]), r["unit"], r["doc"], r["allowed"]]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def replace_between(text: str, start: str, end: str, content: str) -> str:
    """``text`` with what stands between the markers ``start`` and ``end`` replaced."""
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"


def readme_with_table(text: str) -> str:
    """``text`` with the part between the parameter markers replaced by the current table."""
    return replace_between(text, START, END, parameter_table())


def main(make_table, start: str = START, end: str = END) -> None:
    """``--write FILE`` refreshes the table between the markers in FILE; else print it."""
    import sys
    from pathlib import Path

    if sys.argv[1:2] == ["--write"]:
        path = Path(sys.argv[2])
        path.write_text(replace_between(path.read_text(), start, end, make_table()))
    else:
        print(make_table())


if __name__ == "__main__":
    main(parameter_table)
