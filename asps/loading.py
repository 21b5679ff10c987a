"""Read and validate the CSV files in ``data/``.

One loader for every table: it parses the file itself (so that every row keeps the physical line it
starts on, embedded newlines included), converts each column to the type its pandera schema
declares without ever coercing a bad value silently, validates lazily, and raises a single
:class:`DataValidationError` that lists every problem as file, line, column, rule and value.

Validated tables are cached per data version (`asps.cache`): `load_all` stores what it has
validated, and `load` and ``asps.review.data`` read the cache first, so a chapter kernel
neither imports pandera nor validates again unless some input changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from asps.paths import DATA_DIR, display_path

if TYPE_CHECKING:  # pandera is imported only when something is validated
    import pandera.pandas as pa
    from pandera.errors import SchemaError, SchemaErrors

_TRUE = {"true"}
_FALSE = {"false"}
_MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class Problem:
    """One failed rule: where it failed and on what value."""

    file: str
    line: int | None
    column: str | None
    rule: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column:
            parts.append(f"column '{self.column}'")
        parts.append(self.rule)
        text = ": ".join(parts)
        if self.value is not None:
            shown = self.value
            if len(shown) > _MAX_VALUE_CHARS:
                shown = shown[:_MAX_VALUE_CHARS] + f"... ({len(self.value)} characters)"
            text += f" (value: {shown!r})"
        return text


class DataValidationError(ValueError):
    """Raised when one or more files in ``data/`` break their schema; lists every problem."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(
            problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.rule)
        )
        super().__init__(self.report())

    def report(self) -> str:
        """Return the validation report: a count, then one line per problem."""
        files = sorted({p.file for p in self.problems})
        head = (
            f"{len(self.problems)} problem(s) in {', '.join(files)}; "
            "nothing is rendered from invalid data."
        )
        return "\n".join([head, *(f"  {p}" for p in self.problems)])



def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.end].hex(" ")
        return None, [Problem(name, line, None, f"not valid UTF-8 (bytes {bad})")]


def _records(text: str, name: str) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """Split CSV text into header and records, each record with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    header: list[str] = []
    records: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for fields in reader:
            start, consumed = consumed + 1, reader.line_num
            if not fields:
                continue
            if not header:
                header = fields
                continue
            records.append((start, fields))
    except csv.Error as err:
        problems.append(Problem(name, reader.line_num, None, f"malformed CSV ({err})"))
    return header, records, problems


def _convert(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, name: str
) -> tuple[pd.DataFrame, list[Problem], set[tuple[int, str]]]:
    """Convert text columns to the schema's types; a value that does not parse is a problem."""
    problems: list[Problem] = []
    reported: set[tuple[int, str]] = set()
    out = frame.copy()
    for column_name, column in schema.columns.items():
        if column_name not in out:
            continue
        text = out[column_name]
        kind = str(column.dtype)
        if kind == "bool":
            lowered = text.str.strip().str.lower()
            bad = text.notna() & ~lowered.isin(_TRUE | _FALSE)
            out[column_name] = lowered.map(
                lambda v: True if v in _TRUE else False if v in _FALSE else None
            )
            rule = "not a boolean (expected true or false)"
        elif kind.startswith(("int", "float", "Int")):
            numbers = pd.to_numeric(text.str.strip(), errors="coerce")
            bad = text.notna() & numbers.isna()
            rule = "not a number"
            if kind.startswith(("int", "Int")):
                fractional = numbers.notna() & (numbers % 1 != 0)
                for line in numbers.index[fractional]:
                    problems.append(
                        Problem(name, int(line), column_name, "not a whole number", text[line])
                    )
                    reported.add((int(line), column_name))
                numbers = numbers.where(~fractional)
            out[column_name] = numbers
        else:
            continue
        for line in text.index[bad]:
            problems.append(Problem(name, int(line), column_name, rule, text[line]))
            reported.add((int(line), column_name))
        if kind.startswith(("int", "Int")) and out[column_name].notna().all():
            out[column_name] = out[column_name].astype("int64")
        elif kind.startswith(("int", "Int")):
            out[column_name] = out[column_name].astype("Int64")
        elif kind.startswith("float"):
            out[column_name] = out[column_name].astype("float64")
        elif kind == "bool" and out[column_name].notna().all():
            out[column_name] = out[column_name].astype(bool)
    return out, problems, reported


def _pandera_problems(err: SchemaErrors | SchemaError, name: str) -> list[Problem]:
    from pandera.errors import SchemaErrors

    cases = err.failure_cases if isinstance(err, SchemaErrors) else err.failure_cases
    if cases is None or not isinstance(cases, pd.DataFrame):
        return [Problem(name, None, None, str(err).splitlines()[0])]
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for row in cases.itertuples(index=False):
        check = str(row.check)
        column = None if pd.isna(row.column) else str(row.column)
        index = getattr(row, "index", None)
        line = None if index is None or pd.isna(index) else int(index)
        value = None if pd.isna(row.failure_case) else str(row.failure_case)
        context = str(getattr(row, "schema_context", ""))
        if check == "column_in_dataframe":
            problem = Problem(name, 1, value, "required column is missing from the header")
        elif check == "column_in_schema":
            problem = Problem(name, 1, value, "unknown column (not in the schema)")
        elif context == "DataFrameSchema" and line is not None:
            # A rule across columns fails once per row, whatever columns pandera lists.
            problem = Problem(name, line, None, check)
        else:
            problem = Problem(name, line, column, check, value)
        key = (problem.line, problem.column, problem.rule, problem.value)
        if key not in seen:
            seen.add(key)
            problems.append(problem)
    return problems


def read_table(path: Path, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """Read ``path`` and validate it against ``model``.

    Returns
    -------
    pandas.DataFrame
        The validated table with a fresh ``RangeIndex``.

    Raises
    ------
    DataValidationError
        Listing every problem in the file.
    """
    name = display_path(path)
    frame, problems = _parse(path, model, name)
    if problems:
        raise DataValidationError(problems)
    return frame.reset_index(drop=True)


def _parse(
    path: Path, model: type[pa.DataFrameModel], name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    if not path.exists():
        return pd.DataFrame(), [Problem(name, None, None, "file not found")]
    raw = path.read_bytes()
    if not raw.strip():
        return pd.DataFrame(), [Problem(name, None, None, "file is empty: expected a header row")]
    text, problems = _decode(raw, name)
    if text is None:
        return pd.DataFrame(), problems
    header, records, problems = _records(text, name)
    duplicates = sorted({c for c in header if header.count(c) > 1})
    problems += [
        Problem(name, 1, c, "column appears more than once in the header") for c in duplicates
    ]
    width = len(header)
    good: list[tuple[int, list[str]]] = []
    for line, fields in records:
        if len(fields) != width:
            problems.append(
                Problem(name, line, None, f"row has {len(fields)} fields, the header has {width}")
            )
        else:
            good.append((line, fields))
    if not records and not problems:
        problems.append(Problem(name, None, None, "no data rows: the file has a header only"))
    if problems:
        return pd.DataFrame(), problems
    frame = pd.DataFrame(
        [fields for _, fields in good],
        columns=header,
        index=pd.Index([line for line, _ in good], name="line"),
        dtype=object,
    )
    frame = frame.mask(frame.map(lambda v: isinstance(v, str) and v.strip() == ""))
    from pandera.errors import SchemaError, SchemaErrors

    schema = model.to_schema()
    frame, problems, reported = _convert(frame, schema, name)
    try:
        frame = schema.validate(frame, lazy=True)
    except (SchemaErrors, SchemaError) as err:
        # A value that did not parse was reported already; its column's dtype and null
        # failures would only repeat it.
        bad_columns = {column for _, column in reported}
        problems += [
            p
            for p in _pandera_problems(err, name)
            if not (p.line is not None and (p.line, p.column) in reported)
            and not (p.column in bad_columns and p.rule.startswith("dtype("))
        ]
    return frame, problems


def load(table: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Load one validated table from ``data/`` by name (``"patients"`` or ``"patients.csv"``).

    From the cache when every table of ``data_dir`` was validated before with the same inputs
    (`asps.cache`); otherwise this table alone is read and validated.
    """
    key = table.removesuffix(".csv")
    cached = _cached_tables(data_dir)
    if cached is not None and key in cached:
        return cached[key].copy()
    from asps.schemas import schema_for

    model = schema_for(table)
    name = table if table.endswith(".csv") else f"{table}.csv"
    return read_table((data_dir or DATA_DIR) / name, model)


def load_all(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Validate every table in ``data/`` at once; one error lists the problems of all files.

    Always validates (never reads the cache), then caches the result for `load` and
    ``asps.review.data`` (see `asps.cache`).
    """
    from asps.schemas import CROSS_TABLE_CHECKS, TABLES

    directory = data_dir or DATA_DIR
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, model in TABLES.items():
        path = directory / name
        frame, found = _parse(path, model, display_path(path))
        problems += found
        frames[name.removesuffix(".csv")] = frame.reset_index(drop=True)
    for check in CROSS_TABLE_CHECKS:
        problems += check(frames, directory)
    known = set(TABLES)
    for extra in sorted(directory.glob("*.csv")):
        if extra.name not in known:
            problems.append(
                Problem(display_path(extra), None, None, "no schema describes this file")
            )
    if problems:
        raise DataValidationError(problems)
    from asps import cache

    cache.store_tables({k: v.copy() for k, v in frames.items()}, Path(directory))
    return frames


def load_all_cached(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every validated table: from the cache when the inputs are unchanged, else `load_all`.

    The same tables as `load_all` (which raises on invalid data), in a fraction of the time.
    """
    cached = _cached_tables(data_dir)
    if cached is not None:
        return {name: frame.copy() for name, frame in cached.items()}
    return load_all(data_dir)


def _cached_tables(data_dir: Path | None) -> dict[str, pd.DataFrame] | None:
    from asps import cache

    return cache.cached_tables(Path(data_dir or DATA_DIR))
