"""`python -m benchmarks`: every benchmark table, one after another."""

from __future__ import annotations

import importlib
import sys
import time

from asps.paths import ROOT

SECTIONS = [
    ("Survival at scale (issue: survival analysis)", "benchmarks.survival"),
    ("Page weight and time to first chart (issue: browser)", "benchmarks.pages"),
]


def chapter_times() -> int:
    """Execute every chapter as Quarto's jupyter engine would and print the times."""
    from asps.execute import run_all

    return run_all(ROOT)


def main() -> int:
    status = 0
    print("== Chapter execution (make execute) ==", flush=True)
    start = time.perf_counter()
    status |= chapter_times()
    print(f"   whole set: {time.perf_counter() - start:.1f} s wall\n", flush=True)
    for title, module in SECTIONS:
        print(f"== {title} ==", flush=True)
        try:
            bench = importlib.import_module(module)
        except ModuleNotFoundError as err:
            print(f"   not available: {err}\n")
            continue
        result = bench.main() if hasattr(bench, "main") else 0
        status |= int(result or 0)
        print()
    return status


if __name__ == "__main__":
    sys.exit(main())
