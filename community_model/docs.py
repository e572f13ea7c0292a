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


def readme_with_table(text: str) -> str:
    """``text`` with the part between the parameter markers replaced by the current table."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{parameter_table()}\n{END}{tail}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if sys.argv[1:2] == ["--write"]:
        path = Path(sys.argv[2])
        path.write_text(readme_with_table(path.read_text()))
    else:
        print(parameter_table())
