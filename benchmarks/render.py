"""Render times of the author's loop, and where a cold render's time goes.

``python -m benchmarks.render`` renders the book with Quarto three times in one temporary copy
of the project (`asps.site.render_copy`, the same steps as ``make render``), with its own empty
cache of validated tables:

1. **cold**: nothing frozen, nothing cached;
2. **prose edit**: one sentence added to one chapter (only that chapter executes again);
3. **data edit**: one row added to ``data/changelog.csv`` (every chapter executes again).

Targets: the prose-edit render at most a quarter of the cold one; the cold render under 45 s on
2 cores. The machine's load average is printed beside the times (other renders share the CPU).

Then the parts of a chapter's cost that Python controls, each measured alone: starting a
Jupyter kernel (as Quarto does, once per chapter with code), and each chapter's code cells run
in a fresh interpreter (imports, loading the data, analysis, charts), with a warm cache of
validated tables (as after ``python -m asps validate``) and with the cache off
(``ASPS_CACHE=0``: every table validated again, every survival model fitted again).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asps.paths import ROOT
from asps.site import PROJECT_FILES, book_sources, render_copy

PROSE_PAGE = "chapters/patients.qmd"
COLD_TARGET_S = 45.0
PROSE_FRACTION = 0.25

_RUN_CELLS = r"""
import json, sys, time
start = time.perf_counter()
namespace = {}
for cell in json.load(open(sys.argv[1], encoding="utf-8")):
    exec(compile(cell, sys.argv[2], "exec"), namespace)
heavy = [m for m in ("pandera", "lifelines", "statsmodels", "scipy.stats") if m in sys.modules]
print(json.dumps({"seconds": time.perf_counter() - start, "imported": heavy}))
"""


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def renders(work: Path) -> dict[str, float]:
    """The three renders in ``work``; seconds each."""
    src, dest = work / "src", work / "render"
    # A snapshot of the package too, first on PYTHONPATH: edits to the working tree while the
    # renders run do not change what they execute.
    ignore = shutil.ignore_patterns("__pycache__")
    for name in (*PROJECT_FILES, "asps", "constraints.txt", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=ignore)
        elif source.exists():
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / name)
    os.environ["ASPS_CACHE_DIR"] = str(work / "cache")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
    times = {}
    steps = [("cold", ROOT / "data"), ("prose edit", None), ("data edit", None)]
    for step, data in steps:
        if step == "prose edit":
            page = src / PROSE_PAGE
            page.write_text(page.read_text(encoding="utf-8") + "\nA sentence more.\n", "utf-8")
        elif step == "data edit":
            with (dest / "data" / "changelog.csv").open("a", encoding="utf-8") as handle:
                handle.write('2099-01-01,method,changelog.csv,"A row added by make bench."\n')
        before = load()
        start = time.perf_counter()
        render_copy(dest, data or dest / "data", root=src)
        times[step] = time.perf_counter() - start
        print(f"   {step:<11} {times[step]:6.1f} s   ({before} before, {load()} after)", flush=True)
    return times


def kernel_start(repeat: int = 3) -> float:
    """Seconds to start a python3 Jupyter kernel and get its first reply (best of ``repeat``)."""
    from jupyter_client.manager import start_new_kernel

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3")
        try:
            client.execute_interactive("1", timeout=60)
            best = min(best, time.perf_counter() - start)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return best


def chapter_code(cache: bool) -> list[tuple[str, float, list[str]]]:
    """Each chapter's code cells in a fresh interpreter, in the project folder."""
    rows = []
    env = {**os.environ, "ASPS_CACHE": "1" if cache else "0"}
    env.pop("ASPS_CACHE_DIR", None)
    env.pop("ASPS_DATA_DIR", None)
    if cache:
        subprocess.run(
            [sys.executable, "-m", "asps", "validate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    with tempfile.TemporaryDirectory() as tmp:
        for source in book_sources(ROOT):
            cells = re.findall(r"```\{python\}\n(.*?)```", source.read_text("utf-8"), re.S)
            if not cells:
                continue
            cell_file = Path(tmp) / "cells.json"
            cell_file.write_text(json.dumps(cells), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _RUN_CELLS, str(cell_file), source.name],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - start
            if done.returncode:
                rows.append((source.relative_to(ROOT).as_posix(), wall, ["FAILED"]))
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((source.relative_to(ROOT).as_posix(), wall, result["imported"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render", description=__doc__)
    parser.add_argument("--no-render", action="store_true", help="only the per-chapter parts")
    args = parser.parse_args(argv)
    print(f"   {os.cpu_count()} CPUs; {load()}")
    status = 0
    if not args.no_render:
        with tempfile.TemporaryDirectory(prefix="asps-bench-") as tmp:
            saved = {k: os.environ.get(k) for k in ("ASPS_CACHE_DIR", "PYTHONPATH")}
            try:
                times = renders(Path(tmp))
            except RuntimeError as err:
                print(f"   render failed: {str(err)[-2000:]}")
                times, status = {}, 1
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        if times:
            cold, prose = times["cold"], times["prose edit"]
            cold_ok = "met" if cold < COLD_TARGET_S else "MISSED"
            print(
                f"   targets: cold < {COLD_TARGET_S:.0f} s ({cold_ok}); "
                f"prose edit <= {PROSE_FRACTION:.0%} of cold = {PROSE_FRACTION * cold:.1f} s "
                f"({'met' if prose <= PROSE_FRACTION * cold else 'MISSED'}: "
                f"{prose / cold:.0%}); data edit re-executes every chapter"
            )
    print(f"   kernel start (best of 3): {kernel_start():.2f} s per chapter with code")
    warm, off = chapter_code(cache=True), chapter_code(cache=False)
    print(f"   {'chapter code, fresh interpreter':<34} {'cache':>7} {'no cache':>9}  heavy imports")
    for (page, seconds, imported), (_, seconds_off, imported_off) in zip(warm, off, strict=True):
        print(
            f"   {page:<34} {seconds:5.2f} s {seconds_off:7.2f} s  {', '.join(imported) or '-'}"
            f"  (no cache: {', '.join(imported_off)})"
        )
    print(f"   {'total':<34} {sum(r[1] for r in warm):5.1f} s {sum(r[1] for r in off):7.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
