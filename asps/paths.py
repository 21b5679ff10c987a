"""Where things live: every path in the project is derived from here."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ASPS_DATA_DIR points the site at another copy of data/ (tests build pages from hostile data).
DATA_DIR = Path(os.environ.get("ASPS_DATA_DIR", ROOT / "data")).resolve()
CHAPTERS_DIR = ROOT / "chapters"
REFERENCES_DIR = ROOT / "references"
# ../shared exists only on our machines and in CI (Quarto run from source); tests may move it.
SHARED_DIR = Path(os.environ.get("ASPS_SHARED_DIR", ROOT.parent / "shared"))


def display_path(path: Path) -> str:
    """``path`` as an error report names it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
