"""Quarto itself validates `_quarto.yml` and every chapter's front matter (`quarto inspect`).

These run the real Quarto (`asps.site.find_quarto`: PATH, the venv, ../shared/quarto); without
one they fail with the message that says how to get it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from asps.paths import ROOT
from asps.site import PROJECT_FILES, find_quarto


@pytest.fixture(scope="module")
def quarto() -> str:
    return str(find_quarto())


def _inspect(quarto: str, project: Path, *target: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [quarto, "inspect", *target], cwd=project, env=env, capture_output=True, text=True,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's sources that a test may break."""
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.js"))
        elif source.exists():
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def test_the_project_validates(quarto):
    # Each chapter's front matter is validated by every render (`make test` renders first).
    done = _inspect(quarto, ROOT)
    assert done.returncode == 0, done.stderr


def _break(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` line in ``path``; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.rstrip("\n") == old)
    lines[number] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1


def test_a_misspelt_key_inside_book_fails_naming_file_line_and_key(quarto, project):
    line = _break(project / "_quarto.yml", '  title: "ASPS Living Review"', '  titel: "ASPS"')
    done = _inspect(quarto, project)
    assert done.returncode != 0
    assert "_quarto.yml" in done.stderr and f"line {line}" in done.stderr, done.stderr
    assert re.search(r"property name\s+titel\s+is invalid", done.stderr), done.stderr


def test_a_wrong_value_type_fails_naming_file_line_and_key(quarto, project):
    line = _break(project / "_quarto.yml", "  search: true", "  search: 42")
    done = _inspect(quarto, project)
    assert done.returncode != 0
    assert "_quarto.yml" in done.stderr and f"line {line}" in done.stderr, done.stderr
    assert 'Field "search" has value 42' in done.stderr, done.stderr


def test_a_wrong_value_in_front_matter_fails_naming_file_line_and_key(quarto, project):
    line = _break(project / "index.qmd", "number-sections: false", "number-sections: 7")
    done = _inspect(quarto, project, "index.qmd")
    assert done.returncode != 0
    assert "index.qmd" in done.stderr and f"line {line}" in done.stderr, done.stderr
    assert 'Field "number-sections" has value 7' in done.stderr, done.stderr
