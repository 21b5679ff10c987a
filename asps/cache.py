"""Work done once per data version: the validated tables and the survival fits, on disk.

Every chapter runs in its own kernel. Without this each kernel would parse and validate every
table (importing pandera) and fit the survival models (importing lifelines) again. Instead the
first process to validate the data (``python -m asps validate``, run by ``make render`` before
Quarto) pickles the validated tables, and each chapter kernel unpickles them in milliseconds.

Never stale: an entry is keyed by :func:`inputs_key`, a hash of everything the cached results
are computed from: every file in the data folder (``ASPS_DATA_DIR`` when set), every source file
of the ``asps`` package (schemas, loader, analysis), ``constraints.txt`` and ``pyproject.toml``,
the Python version and the name and version of every installed distribution. Change any of them
and the key changes, so the old entry is simply not found. Invalid data are never cached (the
loader raises before anything is written). The cache lives in ``build/cache/`` (``ASPS_CACHE_DIR``
to move it; ``ASPS_CACHE=0`` turns it off); ``make clean`` removes it, and only the few newest
keys are kept.

Files are written atomically (temporary file, then rename), so concurrent kernels never read a
half-written entry; an unreadable entry counts as a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import shutil
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from asps.paths import ROOT

__all__ = [
    "cache_dir",
    "cached_tables",
    "enabled",
    "frame_digest",
    "get",
    "inputs_key",
    "is_cached_table",
    "put",
    "remember",
    "store_tables",
]

T = TypeVar("T")

#: How many data versions (keys) to keep on disk.
KEEP_KEYS = 4
_TABLES = "tables"


def enabled() -> bool:
    """False when ``ASPS_CACHE`` is ``0``/``false``/``no``/``off``."""
    return os.environ.get("ASPS_CACHE", "1").strip().lower() not in {"0", "false", "no", "off"}


def cache_dir() -> Path:
    """The cache folder: ``ASPS_CACHE_DIR``, or ``build/cache`` in the project."""
    return Path(os.environ.get("ASPS_CACHE_DIR") or ROOT / "build" / "cache")


def _data_dir() -> Path:
    # Read at call time, not import time: ASPS_DATA_DIR is what asps.paths saw at import.
    from asps.paths import DATA_DIR

    return DATA_DIR


def _installed() -> list[str]:
    """Names of the installed distributions with their versions (``pandas-2.2.3.dist-info``)."""
    names: set[str] = set()
    for key in ("purelib", "platlib"):
        folder = Path(sysconfig.get_paths()[key])
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.suffix == ".dist-info")
    return sorted(names)


def inputs_key(data_dir: Path | None = None) -> str:
    """A hash of every input of the cached results (see the module docstring).

    Hashes about half a megabyte: a few milliseconds, computed on every call so that a file
    changed while a process runs is seen.
    """
    directory = Path(data_dir or _data_dir())
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\0{platform.machine()}\0".encode())
    digest.update("\n".join(_installed()).encode() + b"\0")
    package = ROOT / "asps"
    groups = [
        ("data", directory, sorted(p for p in directory.rglob("*") if p.is_file())),
        ("asps", package, sorted(package.rglob("*.py"))),
        ("root", ROOT, [ROOT / "constraints.txt", ROOT / "pyproject.toml"]),
    ]
    for label, base, files in groups:
        for path in files:
            # datapackage.json is written from the schemas (in asps/), not an input of its own.
            if label == "data" and path.name == "datapackage.json":
                continue
            if "__pycache__" in path.parts:
                continue
            try:
                body = path.read_bytes()
            except OSError:
                body = b"<missing>"
            name = path.relative_to(base).as_posix()
            digest.update(f"{label}:{name}\0{len(body)}\0".encode() + body)
    return digest.hexdigest()[:32]


def _entry(key: str, name: str) -> Path:
    return cache_dir() / key / f"{name}.pkl"


def get(key: str, name: str) -> Any | None:
    """The value stored under ``key``/``name``, or None (missing, disabled or unreadable)."""
    if not enabled():
        return None
    path = _entry(key, name)
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - written by put() into our own cache
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or incompatible entry is a miss
        return None


def put(key: str, name: str, value: Any) -> None:
    """Store ``value`` under ``key``/``name`` atomically; drop the oldest keys beyond KEEP_KEYS.

    Never raises: a cache that cannot be written only costs time.
    """
    if not enabled():
        return
    path = _entry(key, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        os.utime(path.parent)
        _prune(keep=path.parent)
    except OSError:
        pass


def _prune(keep: Path) -> None:
    try:
        folders = [p for p in cache_dir().iterdir() if p.is_dir() and p != keep]
    except OSError:
        return
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP_KEYS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def remember(key: str, name: str, compute: Callable[[], T]) -> T:
    """``get(key, name)``, or ``compute()`` stored with ``put`` when missing."""
    value = get(key, name)
    if value is None:
        value = compute()
        put(key, name, value)
    return value


# ---------------------------------------------------------------- validated tables


def store_tables(frames: dict[str, Any], data_dir: Path | None = None) -> None:
    """Cache the validated tables of ``data_dir`` (the loader calls this after validating)."""
    key = inputs_key(data_dir)
    digests = {name: (len(frame), frame_digest(frame)) for name, frame in frames.items()}
    put(key, _TABLES, {"frames": frames, "digests": digests})


def cached_tables(data_dir: Path | None = None) -> dict[str, Any] | None:
    """The validated tables of ``data_dir`` from the cache, or None on a miss.

    The frames returned are the cached objects: callers copy before handing them out.
    """
    entry = get(inputs_key(data_dir), _TABLES)
    return None if entry is None else entry["frames"]


def is_cached_table(name: str, frame: Any, data_dir: Path | None = None) -> bool:
    """True if ``frame`` holds exactly the cached validated table ``name`` (same content)."""
    entry = get(inputs_key(data_dir), _TABLES)
    if entry is None or name not in entry["digests"]:
        return False
    rows, digest = entry["digests"][name]
    return len(frame) == rows and digest is not None and frame_digest(frame) == digest


def frame_digest(frame: Any) -> str | None:
    """A content hash of a DataFrame: values, index, column names and dtypes; None if unhashable."""
    import pandas as pd

    try:
        values = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except (TypeError, ValueError):
        return None
    meta = repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode()
    return hashlib.sha256(meta + b"\0" + values).hexdigest()[:32]
