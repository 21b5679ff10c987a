"""First screening labels for records found, from the rules in ``data/screening_rules.csv``.

Rules are tried in their ``order``; the first whose pattern matches its field gives the label. A
label is a suggestion for the author, never a decision: a record screened out by a rule is still
listed in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from asps.surveil.eutils import Record

#: What a record gets when no rule matches (the rules end with a catch-all, so rarely).
FALLBACK = ("other", None, "none", False)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    order: int
    label: str
    field: str
    regex: re.Pattern
    screen_out: bool


@dataclass(frozen=True)
class Screening:
    label: str
    n: int | None
    rule_id: str
    screen_out: bool


def rules_from(frame: pd.DataFrame) -> list[Rule]:
    """The validated rules table as :class:`Rule` objects, in the order they are tried."""
    return [
        Rule(
            str(row.rule_id),
            int(row.order),
            str(row.label),
            str(row.field),
            re.compile(str(row.pattern), re.IGNORECASE),
            bool(row.screen_out),
        )
        for row in frame.sort_values("order", kind="stable").itertuples(index=False)
    ]


def field_text(record: Record, field: str) -> str:
    if field == "title":
        return record.title
    if field == "publication_type":
        return "; ".join(record.publication_types)
    if field == "journal":
        return record.journal or ""
    raise ValueError(f"unknown rule field {field!r}")


def screen(record: Record, rules: list[Rule]) -> Screening:
    """The first rule that matches ``record``; a group named ``n`` gives a series' N."""
    for rule in rules:
        match = rule.regex.search(field_text(record, rule.field))
        if match:
            n = match.groupdict().get("n")
            number = int(n) if n and n.isdigit() and int(n) > 0 else None
            return Screening(rule.label, number, rule.rule_id, rule.screen_out)
    return Screening(*FALLBACK)
