"""Where things live: every path in the project is derived from here."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
CHAPTERS_DIR = ROOT / "chapters"
REFERENCES_DIR = ROOT / "references"
SHARED_DIR = ROOT.parent / "shared"
