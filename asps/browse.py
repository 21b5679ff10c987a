"""The rendered site as a reader's browser gets it: a local server and headless Chromium.

Shared by the browser tests (``tests/browser/``) and the page benchmarks (``benchmarks/``), so
both look at ``_site/`` the same way: served over HTTP, by Debian's Chromium, offline.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["CHROMIUM", "LAUNCH_ARGS", "browser_unavailable", "serve"]

#: Debian's Chromium (or ASPS_CHROMIUM) and the flags it needs headless, as root, offline:
#: without the background-networking flags it keeps trying to reach Google's hosts.
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


class _QuietHandler(SimpleHTTPRequestHandler):
    cache = False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def end_headers(self) -> None:
        # Like a static host (GitHub Pages sends max-age=600): a later page reuses what the
        # first one downloaded. Tests turn caching off so each visit sees the files on disk.
        self.send_header("Cache-Control", "max-age=600" if self.cache else "no-store")
        super().end_headers()


@contextlib.contextmanager
def serve(directory: Path, *, cache: bool = False) -> Iterator[str]:
    """Serve ``directory`` on ``http://127.0.0.1:<free port>/`` while the block runs.

    Parameters
    ----------
    directory
        The folder to serve (``_site/``).
    cache
        Let the browser cache files for ten minutes, as a static host does.

    Yields
    ------
    str
        The base URL, ending in ``/``.
    """
    handler_class = type("Handler", (_QuietHandler,), {"cache": cache})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
