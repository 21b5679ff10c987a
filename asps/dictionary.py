"""The data dictionary and a Frictionless ``datapackage.json``, both generated from the schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from asps.paths import DATA_DIR
from asps.schemas import TABLES

_TYPES = {
    "int64": "integer",
    "float64": "number",
    "bool": "boolean",
    "str": "string",
    "object": "string",
}
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def _type(column: pa.Column) -> str:
    return _TYPES.get(str(column.dtype), "string")


def _rules(column: pa.Column) -> tuple[str, dict]:
    """Allowed values or range in words, and the same as Frictionless constraints."""
    words: list[str] = []
    constraints: dict = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
        words.append("unique")
    for check in column.checks:
        stats = check.statistics or {}
        name = check.name
        if name == "isin":
            allowed = list(stats["allowed_values"])
            constraints["enum"] = allowed
            words.append("one of: " + ", ".join(map(str, allowed)))
        elif name in {"greater_than_or_equal_to", "greater_than"}:
            constraints["minimum"] = stats["min_value"]
            words.append((">= " if name.endswith("equal_to") else "> ") + str(stats["min_value"]))
        elif name in {"less_than_or_equal_to", "less_than"}:
            constraints["maximum"] = stats["max_value"]
            words.append(("<= " if name.endswith("equal_to") else "< ") + str(stats["max_value"]))
        elif name == "in_range":
            constraints["minimum"], constraints["maximum"] = stats["min_value"], stats["max_value"]
            words.append(f"{stats['min_value']} to {stats['max_value']}")
        elif name == "str_matches":
            # pandera matches a prefix; Frictionless matches the whole value.
            pattern = str(stats["pattern"]).removeprefix("^")
            constraints["pattern"] = (
                pattern.removesuffix("$") if pattern.endswith("$") else pattern + r"[\s\S]*"
            )
            words.append(f"matches {stats['pattern']}")
        elif name == "str_length":
            words.append(
                f"length {stats.get('min_value') or 0} to {stats.get('max_value') or 'any'}"
            )
    if column.nullable:
        words.append("may be empty")
    if _type(column) in {"string", "boolean"}:
        constraints.pop("minimum", None)
        constraints.pop("maximum", None)
    if _type(column) != "string":
        constraints.pop("pattern", None)
    return "; ".join(words), constraints


def data_dictionary() -> pd.DataFrame:
    """One row per column of every table: file, column, type, allowed values, description."""
    rows = []
    for file, model in TABLES.items():
        schema = model.to_schema()
        for name, column in schema.columns.items():
            allowed, _ = _rules(column)
            rows.append(
                {
                    "file": f"data/{file}",
                    "column": name,
                    "type": _type(column),
                    "allowed": allowed,
                    "description": column.description or "",
                }
            )
    return pd.DataFrame(rows)


def table_rules() -> pd.DataFrame:
    """Rules across columns of a table (pandera dataframe checks), in words."""
    rows = []
    for file, model in TABLES.items():
        for check in model.to_schema().checks:
            rows.append({"file": f"data/{file}", "rule": check.error or check.name})
    return pd.DataFrame(rows, columns=["file", "rule"])


def datapackage(data_dir: Path = DATA_DIR) -> dict:
    """A Frictionless Data Package descriptor for every CSV in ``data/``."""
    resources = []
    for file, model in TABLES.items():
        schema = model.to_schema()
        fields = []
        for name, column in schema.columns.items():
            _, constraints = _rules(column)
            field = {"name": name, "type": _type(column), "description": column.description or ""}
            if field["type"] == "boolean":
                field["trueValues"], field["falseValues"] = ["true"], ["false"]
            if constraints:
                field["constraints"] = constraints
            fields.append(field)
        resources.append(
            {
                "name": file.removesuffix(".csv").replace("_", "-"),
                "path": file,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": (model.__doc__ or "").strip().splitlines()[0],
                "schema": {"fields": fields, "missingValues": [""]},
            }
        )
    return {
        "name": "asps-living-review",
        "title": "ASPS Living Review data",
        "description": (
            "Data behind the ASPS Living Review. patients.csv is reconstructed pseudo-individual "
            "data consistent with the published aggregates of Cho et al. 2014 "
            "(doi:10.4055/cios.2014.6.1.80), not the original patient records. Every other "
            "table carries the source of each row."
        ),
        "licenses": [LICENSE],
        "resources": resources,
    }


def write_datapackage(data_dir: Path = DATA_DIR) -> Path:
    """Write ``data/datapackage.json`` (stable key order, so git shows real changes only)."""
    path = data_dir / "datapackage.json"
    path.write_text(
        json.dumps(datapackage(data_dir), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path
