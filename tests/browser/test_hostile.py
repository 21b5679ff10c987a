"""Hostile data shows as text and runs nothing; invalid data stops the build with a report."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PAGES, WAIT_CHARTS_JS, open_page
from hostile import ALERT_SCRIPT, INJECTED_SELECTOR, MARKERS, make_hostile_data

from asps.paths import DATA_DIR, ROOT
from asps.site import render_copy

INSPECT_JS = """(selector) => {
  const svgText = [...document.querySelectorAll('.asps-chart svg text')]
    .map(t => t.textContent).join('\\n');
  return {
    injected: [...document.querySelectorAll(selector)].map(e => e.outerHTML.slice(0, 120)),
    text: document.body.innerText,
    svgText,
    charts: [...document.querySelectorAll('.asps-chart')]
      .map(e => e.getAttribute('data-asps-chart')),
  };
}"""

_seen: dict[tuple[str, str], dict] = {}


def _inspect(browser, target, page: str) -> dict:
    key = (target.name, page)
    if key not in _seen:
        context, tab, log = open_page(browser, target, page)
        try:
            tab.goto(target.url(page), wait_until="load")
            tab.wait_for_function(WAIT_CHARTS_JS, timeout=15_000)
            found = tab.evaluate(INSPECT_JS, INJECTED_SELECTOR)
            # Tooltips: hover the middle of every chart once.
            for chart in tab.locator(".asps-chart svg").all()[:6]:
                box = chart.bounding_box()
                if box:
                    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    tab.wait_for_timeout(50)
            found["tooltip"] = tab.evaluate(
                "() => (document.getElementById('vg-tooltip-element') || {}).innerHTML || ''"
            )
            found["injected"] += tab.evaluate(
                "(s) => [...document.querySelectorAll(s)].map(e => e.outerHTML.slice(0, 120))",
                INJECTED_SELECTOR,
            )
        finally:
            context.close()
        found["log"] = log
        _seen[key] = found
    return _seen[key]


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_runs_nothing(browser, hostile_target, page):
    hostile_target.require(page)
    found = _inspect(browser, hostile_target, page)
    log = found["log"]
    assert not log.dialogs, f"a payload ran: {log.dialogs}"
    assert not found["injected"], f"payload markup became elements: {found['injected']}"
    assert not log.page_errors, log.page_errors
    assert all(state == "ready" for state in found["charts"]), found["charts"]
    assert not log.remote, log.remote
    # Tooltips escape their content too.
    assert "<img" not in found["tooltip"] and "<script" not in found["tooltip"]


@pytest.mark.browser
def test_hostile_text_is_shown_as_text(browser, hostile_target):
    shown = {marker: [] for marker in MARKERS}
    in_charts = []
    for page in PAGES:
        if not (hostile_target.root / page).exists():
            continue
        found = _inspect(browser, hostile_target, page)
        for marker in MARKERS:
            if marker in found["text"]:
                shown[marker].append(page)
        if ALERT_SCRIPT in found["svgText"]:
            in_charts.append(page)
    assert shown[ALERT_SCRIPT], "no page shows the free-text fields (as text) at all"
    missing = [marker for marker, pages in shown.items() if not pages]
    assert not missing, f"markers never shown as text: {missing}"


# --- invalid data ---------------------------------------------------------------------------


def _broken_copy(tmp_path: Path) -> tuple[Path, int, str]:
    """data/ with one bad value in patients.csv; returns the copy, the line and the column."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "patients.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    column = "site"
    rows[2][rows[0].index(column)] = "<script>alert(1)</script>"  # not an allowed site
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return data, 3, column


def test_invalid_data_fails_validate_with_a_report(tmp_path):
    data, line, column = _broken_copy(tmp_path)
    env = {**os.environ, "ASPS_DATA_DIR": str(data)}
    done = subprocess.run(
        [sys.executable, "-m", "asps", "validate"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1
    report = done.stderr + done.stdout
    assert f"patients.csv:{line}" in report and f"column '{column}'" in report, report


def test_invalid_data_stops_quarto_with_the_report(tmp_path):
    # Even past `make validate`, a chapter that loads invalid data stops Quarto's render with
    # the chapter, the cell and the validation report: nothing renders from invalid data.
    data, line, column = _broken_copy(tmp_path)
    with pytest.raises(RuntimeError) as raised:
        render_copy(tmp_path / "book", data, files=("chapters/patients.qmd",), validate=False)
    report = str(raised.value)
    assert f"patients.csv:{line}" in report and f"column '{column}'" in report, report
    assert "patients.qmd" in report and "setup" in report, report
    assert not list((tmp_path / "book" / "_site").rglob("patients.html"))


def test_hostile_copy_is_valid_and_covers_the_free_text(tmp_path):
    made = make_hostile_data(DATA_DIR, tmp_path / "data")
    env = {**os.environ, "ASPS_DATA_DIR": str(made.directory)}
    done = subprocess.run(
        [sys.executable, "-m", "asps", "validate"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert sum(map(len, made.filled.values())) >= 10
