"""A copy of data/ with markup, quotes, very long and right-to-left text in every free-text field.

A free-text field is a string column whose schema has no ``isin`` list. Each one gets the
payload in every row that has a value (empty cells stay empty); a column whose other rules (a
pattern, a maximum length) reject a payload gets the next one that passes: the payload without
the long word, a short tag, or, for link columns, a URL carrying markup. Columns that accept
none, or that rules across tables tie to other tables, keep their values. The copy is valid,
so the pages must show all of it as text.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from asps.loading import DataValidationError, load_all, read_table
from asps.schemas import TABLES

ALERT_SCRIPT = "<script>alert(1)</script>"
ALERT_IMG = "<img src=x onerror=alert(1)>"
QUOTES = "\"double\" 'single' `back` &amp; </td></tr></table>"
RTL = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202edesrever\u202c"
LONG_WORD = "W" * 3000
SHORT = "<svg onload=alert(1)>"
#: Markup a browser would turn into elements if it were inserted as HTML.
PAYLOAD = f"{ALERT_SCRIPT} {ALERT_IMG} {QUOTES} {RTL}"
#: For columns that must hold a URL (``https?://\\S+``): no spaces, but quotes and markup.
URL_PAYLOAD = "https://example.org/\"><img/src=x/onerror=alert(1)>'"
#: Visible markers: what a page shows where it shows a free-text field.
MARKERS = (ALERT_SCRIPT, ALERT_IMG, SHORT)
#: Elements that exist only if some payload was parsed as HTML.
INJECTED_SELECTOR = "img[src=x], img[onerror], svg[onload], [onerror], [onload]"


@dataclass
class HostileData:
    """The copy and what was put where."""

    directory: Path
    filled: dict[str, list[str]] = field(default_factory=dict)  # file -> free-text columns
    links: dict[str, list[str]] = field(default_factory=dict)  # file -> URL columns
    untouched: dict[str, list[str]] = field(default_factory=dict)  # str columns left alone


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _string_columns(model) -> list[tuple[str, set[str]]]:
    schema = model.to_schema()
    found = []
    for name, column in schema.columns.items():
        if str(column.dtype) not in {"str", "string", "object"}:
            continue
        checks = {check.name for check in column.checks}
        if "isin" not in checks:
            found.append((name, checks))
    return found


def _valid(path: Path, model) -> bool:
    try:
        read_table(path, model)
    except DataValidationError:
        return False
    return True


def _candidates(checks: set[str]) -> list[tuple[str, str, str]]:
    """(kind, first row's value, other rows' value), most hostile first."""
    if "str_matches" in checks:
        return [("link", URL_PAYLOAD, URL_PAYLOAD)]
    return [
        ("text", PAYLOAD + " " + LONG_WORD, PAYLOAD),
        ("text", PAYLOAD, PAYLOAD),
        ("text", SHORT, SHORT),  # for short labels
    ]


def _fill(rows: list[list[str]], index: int, candidate: tuple[str, str, str]) -> None:
    kind, first, rest = candidate
    given = [row for row in rows if row[index].strip()]
    for number, row in enumerate(given):
        # An empty cell stays empty (rules tie some columns' presence to others'); rows
        # differ, so that a unique column stays unique.
        value = first if number == 0 else rest
        row[index] = f"{value}{number}" if kind == "link" else f"{value} #{number}"


def _culprit(path, model, header, original, columns, choice) -> str:
    """The first column whose payload alone breaks a rule across columns."""
    for column, number in choice.items():
        if number >= len(columns[column]):
            continue
        rows = [list(row) for row in original]
        _fill(rows, header.index(column), columns[column][number])
        _write(path, header, rows)
        if not _valid(path, model):
            return column
    raise AssertionError(f"{path.name}: no single column breaks the rule")


def make_hostile_data(source: Path, dest: Path) -> HostileData:
    """Copy ``source`` (a data/ folder) to ``dest`` with hostile text in every free-text field.

    Each table is validated once per round: columns whose rules reject their payload move to
    the next candidate, until the table is valid.
    """
    shutil.copytree(source, dest)
    result = HostileData(dest)
    originals: dict[str, tuple[list[str], list[list[str]]]] = {}
    for name, model in TABLES.items():
        path = dest / name
        if not path.exists():
            continue
        header, original = _read(path)
        columns = {c: _candidates(k) for c, k in _string_columns(model) if c in header}
        choice = dict.fromkeys(columns, 0)
        while True:
            rows = [list(row) for row in original]
            for column, number in choice.items():
                if number < len(columns[column]):
                    _fill(rows, header.index(column), columns[column][number])
            _write(path, header, rows)
            try:
                read_table(path, model)
                break
            except DataValidationError as error:
                active = {c for c, n in choice.items() if n < len(columns[c])}
                failing = {p.column for p in error.problems} & active
                if not failing:  # a rule across columns: the columns it names, if any
                    failing = {c for p in error.problems for c in active if c in p.rule}
                if not failing:
                    failing = {_culprit(path, model, header, original, columns, choice)}
                for column in failing:
                    choice[column] += 1
        for column, number in choice.items():
            if number < len(columns[column]):
                kind = columns[column][number][0]
                target = result.filled if kind == "text" else result.links
                target.setdefault(name, []).append(column)
            else:
                result.untouched.setdefault(name, []).append(column)
        originals[name] = (header, original)
    _check_across_tables(dest, result, originals)
    return result


def _check_across_tables(dest: Path, result: HostileData, originals: dict) -> None:
    """Restore columns that rules across tables reject (e.g. ids another table refers to)."""
    while True:
        try:
            load_all(dest)
            return
        except DataValidationError as error:
            bad = {(Path(p.file).name, p.column) for p in error.problems}
            report = error.report()
        restored = False
        for name, column in sorted(bad, key=str):
            for kind in (result.filled, result.links):
                if column in kind.get(name, []):
                    kind[name].remove(column)
                    header, original = originals[name]
                    _, rows = _read(dest / name)
                    index = header.index(column)
                    for row, before in zip(rows, original, strict=True):
                        row[index] = before[index]
                    _write(dest / name, header, rows)
                    result.untouched.setdefault(name, []).append(column)
                    restored = True
        if not restored:
            raise AssertionError(f"the hostile copy is invalid:\n{report}")


if __name__ == "__main__":  # python tests/browser/hostile.py DEST: write a hostile copy of data/
    import sys

    from asps.paths import DATA_DIR

    made = make_hostile_data(DATA_DIR, Path(sys.argv[1]))
    print(f"wrote {made.directory}: payload in {sum(map(len, made.filled.values()))} text "
          f"columns and {sum(map(len, made.links.values()))} link columns")
