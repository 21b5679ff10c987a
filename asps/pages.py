"""Standalone HTML pages from the executed chapters, laid out and loading scripts like the site.

`build_pages` validates the data, executes every chapter listed in ``_quarto.yml`` (with
:mod:`asps.execute`, one kernel per chapter, chapters in parallel) and writes each one to
``<out_dir>/<same relative path>.html``, with the shared Vega bundle at
``<out_dir>/assets/vega-bundle.js``. Outputs are embedded exactly as Quarto embeds them (the
``text/html`` of each chart and table), and each page carries Quarto's
``<meta name="quarto:offset">``, so charts find the bundle the same way they do on the site.
Theme, navigation and search are Quarto's and are not reproduced.

`serve` runs a quiet local HTTP server over a folder, for browser tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asps.execute import ChapterError, chapters, execute_chapter, export_html
from asps.paths import ROOT
from asps.render import BUNDLE_PATH, write_bundle

__all__ = ["PagesError", "build_pages", "offset_for", "serve"]

DATA_ENV = "ASPS_DATA_DIR"
#: Debian's Chromium (or ASPS_CHROMIUM) and the flags it needs headless, as root, offline.
CHROMIUM = Path(os.environ.get("ASPS_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_unavailable() -> str | None:
    """Why no browser can be driven here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set ASPS_CHROMIUM)"
    return None


@dataclass
class PagesError(Exception):
    """Some chapters failed to execute; the others were written.

    Attributes
    ----------
    errors
        One `ChapterError` per failed chapter (name, cell or line, traceback).
    pages
        The pages that were written.
    """

    errors: list[ChapterError]
    pages: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.errors)} chapter(s) failed:\n" + "\n".join(map(str, self.errors))


def offset_for(relative: Path | str) -> str:
    """Quarto's ``quarto:offset`` for a page: the path from it back to the site root.

    Examples
    --------
    >>> offset_for("index.html"), offset_for("chapters/survival.html")
    ('./', '../')
    """
    depth = len(Path(relative).parent.parts)
    return "../" * depth if depth else "./"


def _site_head(page: str, offset: str) -> str:
    meta = (
        f'<meta name="quarto:offset" content="{offset}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
    )
    return page.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + meta, 1)


@contextlib.contextmanager
def _data_dir(data_dir: Path | None) -> Iterator[None]:
    """Point kernels (which inherit this environment) at ``data_dir``."""
    if data_dir is None:
        yield
        return
    before = os.environ.get(DATA_ENV)
    os.environ[DATA_ENV] = str(Path(data_dir).resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DATA_ENV, None)
        else:
            os.environ[DATA_ENV] = before


def _bundle(out_dir: Path) -> Path:
    # The bundle takes seconds to make: keep an up-to-date copy in this repository's assets/
    # (gitignored, the file `python -m asps site-files` writes) and copy it.
    cached = write_bundle(ROOT / BUNDLE_PATH)
    dest = out_dir / BUNDLE_PATH
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, dest)
    return dest


def build_pages(
    project_dir: Path = ROOT,
    out_dir: Path = ROOT / "build" / "pages",
    *,
    data_dir: Path | None = None,
    jobs: int | None = None,
    only: Sequence[str] | None = None,
    validate: bool = True,
) -> list[Path]:
    """Execute every chapter and write it as a page that loads scripts the way the site does.

    Parameters
    ----------
    project_dir
        Folder holding ``_quarto.yml``.
    out_dir
        Where the pages go (``index.html``, ``chapters/<name>.html``, ``assets/``).
    data_dir
        Another copy of ``data/`` to build from (passed to the kernels as ``ASPS_DATA_DIR``).
    jobs
        Chapters executed at once (default: number of CPUs).
    only
        Chapter paths relative to the project (``"chapters/survival.qmd"``); default all.
    validate
        Validate the data first, as ``make render`` does.

    Returns
    -------
    list[Path]
        The pages written, in book order. Chapters listed in ``_quarto.yml`` whose file does
        not exist are skipped.

    Raises
    ------
    asps.loading.DataValidationError
        The data is invalid: nothing is executed.
    PagesError
        One or more chapters failed; the rest were written (``.pages``).
    """
    project_dir = Path(project_dir).resolve()
    out_dir = Path(out_dir)
    if validate:
        from asps.loading import load_all

        load_all(Path(data_dir) if data_dir is not None else None)
    paths = [p for p in chapters(project_dir) if p.exists()]
    if only is not None:
        wanted = {Path(name).as_posix() for name in only}
        paths = [p for p in paths if p.relative_to(project_dir).as_posix() in wanted]
    _bundle(out_dir)
    run = functools.partial(_execute, project_dir=project_dir)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    with _data_dir(data_dir), ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(run, paths))
    pages, errors = [], []
    for path, outcome in zip(paths, outcomes, strict=True):
        if isinstance(outcome, ChapterError):
            errors.append(outcome)
            continue
        relative = path.relative_to(project_dir).with_suffix(".html")
        dest = export_html(outcome, out_dir / relative)
        dest.write_text(
            _site_head(dest.read_text(encoding="utf-8"), offset_for(relative)), encoding="utf-8"
        )
        pages.append(dest)
    if errors:
        raise PagesError(errors, pages)
    return pages


def _execute(path: Path, project_dir: Path):
    try:
        return execute_chapter(path, project_dir)
    except ChapterError as error:
        return error
    except Exception as error:  # a kernel that would not start: report it like a chapter error
        name = path.relative_to(project_dir).as_posix()
        return ChapterError(name, "kernel", f"{type(error).__name__}: {error}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on ``http://127.0.0.1:<free port>/`` while the block runs.

    Yields
    ------
    str
        The base URL, ending in ``/``.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
