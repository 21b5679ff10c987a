"""`python -m benchmarks` (`make bench`): every benchmark table, one after another.

1. render times: cold, after a prose edit, after a data edit (`benchmarks.render`), and what a
   chapter costs in Python (kernel start, each chapter's code with and without the cache);
2. page weight, requests and time to first chart on ``_site/``, empty and warm browser cache
   (`benchmarks.pages`);
3. survival at 10^3..10^6 patients (`benchmarks.survival`).
"""

from __future__ import annotations

import importlib
import sys
import time

SECTIONS = [
    ("Render: cold, prose edit, data edit (issue 15)", "benchmarks.render"),
    ("Pages: weight and time to first chart on _site/ (issue 15)", "benchmarks.pages"),
    ("Survival at scale", "benchmarks.survival"),
]


def main() -> int:
    status = 0
    for title, module in SECTIONS:
        print(f"== {title} ==", flush=True)
        start = time.perf_counter()
        try:
            result = importlib.import_module(module).main([])
        except Exception as err:  # one failed section does not hide the others
            print(f"   failed: {type(err).__name__}: {str(err).splitlines()[0][:300]}")
            result = 1
        status |= int(result or 0)
        print(f"   ({time.perf_counter() - start:.0f} s)\n", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
