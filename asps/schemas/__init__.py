"""pandera schemas: the single source of truth for every table in ``data/``.

Each submodule declares ``TABLES``, a mapping from a CSV file name in ``data/`` to the
``DataFrameModel`` that validates it. They are collected here, so adding a table means adding a
schema module and a CSV, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pandera.pandas as pa


def _modules() -> list:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    ]


def _collect() -> dict[str, type[pa.DataFrameModel]]:
    tables: dict[str, type[pa.DataFrameModel]] = {}
    for module in _modules():
        for name, model in getattr(module, "TABLES", {}).items():
            if name in tables:
                raise RuntimeError(f"data/{name} has two schemas: {module.__name__} and another")
            tables[name] = model
    return dict(sorted(tables.items()))


TABLES: dict[str, type[pa.DataFrameModel]] = _collect()
#: Rules between tables (known ids): a schema module may define ``cross_table_problems(frames,
#: data_dir)`` returning ``asps.loading.Problem``s; the loader runs every one.
CROSS_TABLE_CHECKS: list[Callable] = [
    module.cross_table_problems for module in _modules() if hasattr(module, "cross_table_problems")
]


def schema_for(table: str) -> type[pa.DataFrameModel]:
    """Return the schema of ``table`` (a CSV file name, with or without ``.csv``)."""
    name = table if table.endswith(".csv") else f"{table}.csv"
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no schema for data/{name}; known tables: {', '.join(TABLES)}") from None
