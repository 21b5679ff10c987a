"""ASPS Living Review: validated data and analysis behind the review of alveolar soft part sarcoma.

The public surface is small: ``asps.load`` / ``asps.load_all`` (validated tables),
``asps.DataValidationError``, ``asps.setup()`` (first call of every chapter), and the modules a
chapter calls: ``review``, ``presentation``, ``survival``, ``km_chart``, ``differentials``,
``evidence``, ``forest``, ``therapy``, ``audit``, ``dictionary``, ``tables``. Modules load on
first use, so ``python -m asps validate`` does not pay for charting libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

from asps.loading import DataValidationError, Problem, load, load_all

__all__ = [
    "DataValidationError",
    "Problem",
    "audit",
    "dictionary",
    "differentials",
    "evidence",
    "forest",
    "km_chart",
    "load",
    "load_all",
    "measures",
    "presentation",
    "review",
    "setup",
    "survival",
    "tables",
    "therapy",
]
_MODULES = {
    "audit", "dictionary", "differentials", "evidence", "forest", "km_chart", "measures",
    "presentation", "review", "site", "survival", "tables", "therapy",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"asps.{name}")
    if name == "setup":
        return importlib.import_module("asps.inline").setup
    raise AttributeError(f"module 'asps' has no attribute {name!r}")
