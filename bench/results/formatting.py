"""How the report writes figures and sections, shared by the report and the questions that bring
their own section (bench.questions)."""
from __future__ import annotations


def fmt(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def section(title: str, table: list[str], intro: str) -> list[str]:
    """A report section: its heading, a paragraph and its table; nothing when the table is empty."""
    return ["", f"## {title}", "", intro, "", *table] if table else []
