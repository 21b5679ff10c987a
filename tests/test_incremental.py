"""The author's loop: a render reuses what did not change and never shows stale results.

One module-scoped fixture renders the real book with Quarto three times in one copy of the
project (`asps.site.render_copy`), as an author would with ``make render``:

1. cold: nothing frozen, an empty cache of validated tables (``ASPS_CACHE_DIR`` in the copy);
2. after a prose-only edit of one chapter: only that chapter executes again;
3. after a new row in ``data/changelog.csv``: every chapter executes again and the row shows on
   the home page (no chapter is built from stale frozen results or stale cached tables).

The copy carries its own snapshot of the ``asps`` package (first on ``PYTHONPATH``), so an edit
to the working tree while the renders run cannot change what they execute.

Whether a chapter executed is read from Quarto's freeze files (``_freeze/<page>/execute-results/
html.json``): Quarto writes one only when it executes the chapter, and reads it otherwise.
The three render times are attached to the report (``-rP``); ``make bench`` prints them with
their targets.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from asps.paths import ROOT
from asps.site import PROJECT_FILES, book_sources, render_copy

PROSE_PAGE = "chapters/patients.qmd"
PROSE_MARKER = "Prose-only edit for the incremental render test."
DATA_MARKER = "Changelog row added by the incremental render test, shown after one render."


def freeze_files(dest: Path) -> dict[str, tuple[int, str]]:
    """Every page's freeze JSON: modification time (ns) and its stored source hash."""
    found = {}
    for source in book_sources(dest):
        page = source.relative_to(dest).with_suffix("").as_posix()
        path = dest / "_freeze" / page / "execute-results" / "html.json"
        if path.exists():
            found[page] = (path.stat().st_mtime_ns, json.loads(path.read_text())["hash"])
    return found


class Renders:
    def __init__(self, root: Path):
        self.src = root / "src"  # the author's working copy: edited between renders
        self.dest = root / "render"
        self.cache = root / "cache"
        self.times: dict[str, float] = {}
        self.freeze: dict[str, dict[str, tuple[int, str]]] = {}
        self.pages: dict[str, dict[str, str]] = {}

    def render(self, step: str, data_dir: Path) -> None:
        start = time.perf_counter()
        render_copy(self.dest, data_dir, root=self.src)
        self.times[step] = time.perf_counter() - start
        self.freeze[step] = freeze_files(self.dest)
        self.pages[step] = {
            name: (self.dest / "_site" / name).read_text(encoding="utf-8")
            for name in ("index.html", Path(PROSE_PAGE).with_suffix(".html").as_posix())
        }


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Renders:
    runs = Renders(tmp_path_factory.mktemp("incremental"))
    ignore = shutil.ignore_patterns("__pycache__")
    for name in (*PROJECT_FILES, "asps", "constraints.txt", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, runs.src / name, ignore=ignore)
        elif source.exists():
            runs.src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, runs.src / name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASPS_CACHE_DIR", str(runs.cache))
        patch.setenv(
            "PYTHONPATH", os.pathsep.join([str(runs.src), os.environ.get("PYTHONPATH", "")])
        )
        runs.render("cold", ROOT / "data")
        data = runs.dest / "data"  # from now on the copy's own data/ is edited in place

        page = runs.src / PROSE_PAGE
        page.write_text(page.read_text(encoding="utf-8") + f"\n{PROSE_MARKER}\n", "utf-8")
        runs.render("prose", data)

        log = data / "changelog.csv"
        with log.open("a", encoding="utf-8", newline="") as handle:
            handle.write(f'2099-01-01,method,changelog.csv,"{DATA_MARKER}"\n')
        runs.render("data", data)
    return runs


def test_cold_render_executes_every_chapter(renders: Renders) -> None:
    pages = {
        p.relative_to(renders.dest).with_suffix("").as_posix() for p in book_sources(renders.dest)
    }
    with_code = {
        page for page in pages if "```{python}" in (renders.src / f"{page}.qmd").read_text()
    }
    assert with_code, "no chapter has code"
    assert with_code == set(renders.freeze["cold"]), "a chapter with code left no freeze file"


def test_prose_edit_reexecutes_only_that_chapter(renders: Renders) -> None:
    before, after = renders.freeze["cold"], renders.freeze["prose"]
    edited = Path(PROSE_PAGE).with_suffix("").as_posix()
    assert after[edited] != before[edited], "the edited chapter was not executed again"
    untouched = {page: value for page, value in before.items() if page != edited}
    assert untouched, "no other chapter to compare"
    assert {page: after[page] for page in untouched} == untouched, (
        "a chapter whose .qmd, data and code did not change was executed again"
    )
    assert PROSE_MARKER in renders.pages["prose"][Path(PROSE_PAGE).with_suffix(".html").as_posix()]


def test_data_edit_reexecutes_every_chapter_and_shows(renders: Renders) -> None:
    before, after = renders.freeze["prose"], renders.freeze["data"]
    assert set(after) == set(before)
    stale = [page for page in before if after[page][0] == before[page][0]]
    assert not stale, f"chapters reused from before the data changed: {stale}"
    assert DATA_MARKER not in renders.pages["prose"]["index.html"]
    assert DATA_MARKER in renders.pages["data"]["index.html"], "the new row is not on its page"
    # The prose edit is still there (frozen results were dropped, not the chapter's text).
    assert PROSE_MARKER in renders.pages["data"][Path(PROSE_PAGE).with_suffix(".html").as_posix()]


def test_render_times(renders: Renders) -> None:
    """The times, for the report; the prose-edit render must at least beat the cold one."""
    shown = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in renders.times.items())
    print(f"render times ({os.cpu_count()} CPUs): {shown}")
    assert renders.times["prose"] < renders.times["cold"]


# ---------------------------------------------------------------- the cache alone (no Quarto)


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ASPS_CACHE", raising=False)
    return tmp_path / "cache"


def test_cached_tables_are_the_validated_tables(private_cache: Path) -> None:
    import pandas as pd

    from asps import cache
    from asps.loading import load, load_all, load_all_cached

    assert cache.cached_tables() is None
    fresh = load_all()  # validates, then stores
    assert cache.cached_tables() is not None
    again = load_all_cached()
    assert set(again) == set(fresh)
    for name, frame in fresh.items():
        pd.testing.assert_frame_equal(again[name], frame)
        pd.testing.assert_frame_equal(load(name), frame)
    again["patients"].loc[0, "sex"] = "changed"  # callers get copies, never the cached frames
    pd.testing.assert_frame_equal(load_all_cached()["patients"], fresh["patients"])


def test_cache_key_covers_every_data_file_and_the_code(private_cache: Path, tmp_path: Path) -> None:
    from asps import cache

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    key = cache.inputs_key(data)
    assert cache.inputs_key(data) == key
    for path in [data / "changelog.csv", *sorted((data / "surveillance").glob("*"))[:1]]:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert cache.inputs_key(data) != key, f"{path.name} is not in the cache key"
        path.write_bytes(original)
    assert cache.inputs_key(data) == key
    (data / "new.csv").write_text("a\n1\n")
    assert cache.inputs_key(data) != key, "a new file is not in the cache key"


def test_invalid_data_is_never_cached(private_cache: Path, tmp_path: Path) -> None:
    from asps import cache
    from asps.loading import DataValidationError, load_all, load_all_cached

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    load_all(data)
    assert cache.cached_tables(data) is not None
    with (data / "changelog.csv").open("a", encoding="utf-8") as handle:
        handle.write("not-a-date,method,changelog.csv,too short\n")
    assert cache.cached_tables(data) is None
    with pytest.raises(DataValidationError):
        load_all_cached(data)
    assert cache.cached_tables(data) is None


def test_cached_survival_equals_a_fresh_fit(private_cache: Path) -> None:
    import pandas as pd

    from asps import survival
    from asps.loading import load_all

    patients = load_all()["patients"]
    for factors in (["overall"], ["margin"], ["size", "overall"], None):
        cached = survival.summarise(patients, factors)
        chosen = [
            survival.resolve_factor(f)
            for f in (survival.FACTORS.values() if factors is None else factors)
        ]
        direct = survival._summarise(
            patients,
            chosen,
            survival.LANDMARK_MONTHS,
            None,
            survival.DURATION_COL,
            survival.EVENT_COL,
        )
        for field in ("factors", "km", "landmarks", "medians", "logrank", "risk"):
            pd.testing.assert_frame_equal(getattr(cached, field), getattr(direct, field))
    assert list(private_cache.glob("*/survival-*.pkl")), "the site's fits were not cached"
    changed = patients.assign(followup_months=patients["followup_months"] + 1)
    assert (
        survival._cache_key(
            changed,
            chosen,
            survival.LANDMARK_MONTHS,
            None,
            survival.DURATION_COL,
            survival.EVENT_COL,
        )
        is None
    )
