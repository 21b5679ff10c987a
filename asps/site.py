"""What the build needs besides the chapters: the Quarto binary, the data version, shared assets."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from asps.paths import ROOT

QUARTO_MISSING = """\
make render needs the Quarto CLI, and it is not available here.
  Looked for: `quarto` on PATH, then {venv_quarto}; then tried
  `pip install quarto-cli=={version}` into the venv, which failed ({reason}).
  The quarto-cli package downloads Quarto's binary from GitHub while it installs, so it needs
  access to github.com. Two ways to get Quarto:
    1. install Quarto {version} from https://quarto.org/docs/download/ (or conda-forge) so that
       `quarto` is on PATH, then run `make render` again; or
    2. on a machine that reaches GitHub, run `make render`: it installs quarto-cli into .venv.
  Everything else (data validation, chapter execution, tests) works without Quarto:
  `make validate`, `make execute`, `make test`."""


@dataclass(frozen=True)
class DataVersion:
    """The commit and date of the last change under ``data/``."""

    commit: str
    date: str

    @property
    def label(self) -> str:
        return f"Data version {self.commit}, last data change {self.date}"


def data_version(root: Path = ROOT) -> DataVersion:
    """Read the last commit that touched ``data/`` from git (the workflow keeps full history)."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h %cs", "--", "data"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    if len(out) != 2:
        return DataVersion("uncommitted", "not yet committed")
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "data"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    commit = f"{out[0]}+local-changes" if dirty else out[0]
    return DataVersion(commit, out[1])


def write_data_version(root: Path = ROOT) -> Path:
    """Write ``_data-version.yml``: Quarto merges it (``metadata-files``) into the page footer."""
    version = data_version(root)
    path = root / "_data-version.yml"
    text = (
        "# Written by `python -m asps site-files` before each render; not committed.\n"
        "data-version: " + _yaml_str(version.commit) + "\n"
        "data-date: " + _yaml_str(version.date) + "\n"
        "book:\n"
        "  page-footer:\n"
        "    left: "
        + _yaml_str(
            f"{version.label}. Not medical advice. "
            "[Report an error](https://github.com/asps-living-review/asps-living-review/issues)"
        )
        + "\n"
        "    right: " + _yaml_str("Text and data CC BY 4.0 · code MIT") + "\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find_quarto(install_version: str | None = None) -> Path:
    """Return the Quarto binary: on PATH, in the venv, or freshly pip-installed into the venv.

    Raises
    ------
    SystemExit
        With one paragraph saying what is missing and how to get it.
    """
    on_path = shutil.which("quarto")
    if on_path:
        return Path(on_path)
    venv_quarto = Path(sys.executable).parent / "quarto"
    if venv_quarto.exists():
        return venv_quarto
    reason = "no version requested"
    if install_version:
        print(
            f"Quarto not found; trying `pip install quarto-cli=={install_version}` ...",
            file=sys.stderr,
        )
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    f"quarto-cli=={install_version}",
                ],
                capture_output=True,
                text=True,
                timeout=900,
            )
            reason = _last_error_line(done.stderr) if done.returncode else "no binary installed"
        except subprocess.TimeoutExpired:
            reason = "timed out after 15 minutes"
        if venv_quarto.exists():
            return venv_quarto
    raise SystemExit(
        QUARTO_MISSING.format(venv_quarto=venv_quarto, version=install_version, reason=reason)
    )


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    text = (errors or lines or ["unknown error"])[-1]
    return text if len(text) < 160 else text[:157] + "..."
