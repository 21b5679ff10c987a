"""Charts that load nothing from a CDN and take the width of the column they are in.

`setup()` (called by every chapter's first cell as ``asps.setup()``) enables the ``asps``
Altair renderer. Each chart then displays as a raw HTML block in ``text/markdown`` (never
``text/html``: see `raw_html_block`): a ``<div class="asps-chart">`` carrying the chart's
title (as page text, which wraps) and description (for assistive technology), and the chart
compiled from Vega-Lite to Vega when the page is built (`compile_vega`), as JSON data. The
site's script ``assets/charts.js`` draws it with Vega alone (no Vega-Lite compiler, no
vega-embed in the page): the ``assets/asps.lua`` filter puts the Vega bundle (`write_bundle`)
in the head of every page with a chart. ``charts.js`` sets the width of every ``"container"``
view (the ``asps_plot`` signal) from the chart's box, and again when the box changes.

A chart may have several layouts (`Layouts`): ``Layouts(wide, narrow=narrow, below=560)``
draws ``narrow`` in boxes under 560 px, so a phone gets a chart designed for it rather than a
squeezed desktop chart. Inline data that layouts share is stored once.

Spec text is JSON with ``<``, ``>``, ``&`` and the line separators escaped, so no data value
(such as ``</script>``) can end the script element early; vega-tooltip escapes HTML.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt

from asps.paths import display_path

__all__ = [
    "BUNDLE_PATH",
    "RENDERER",
    "Layouts",
    "bundle_header",
    "chart_html",
    "chart_layouts",
    "chart_specs",
    "raw_html_block",
    "setup",
    "standalone_assets",
    "write_bundle",
]

RENDERER = "asps"
#: Where the Vega bundle is written (gitignored); the assets/asps.lua filter adds it to every
#: page with a chart.
BUNDLE_PATH = "assets/vega-bundle.js"
_counter = itertools.count(1)
#: The folder of the site's own scripts and styles (``assets/``), next to this package.
ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
#: Scripts and style sheets the ``assets/asps.lua`` filter adds to every page, in order.
ASSET_SCRIPTS = ("charts.js", "tables.js", "differentials.js")
ASSET_STYLES = ("asps.css",)


def _js_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>``: no ``</script>``, ``<!--`` or raw U+2028."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _text(value: Any) -> str:
    """A title or description as one line of plain text (Vega-Lite allows lists of lines)."""
    if isinstance(value, dict):  # a TitleParams object
        parts = [_text(value.get("text")), _text(value.get("subtitle"))]
        return ". ".join(p for p in parts if p)
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if v)
    return " ".join(str(value).split()) if value else ""


def _title_and_description(spec: dict[str, Any]) -> tuple[str, str]:
    title = _text(spec.get("title"))
    description = _text(spec.get("description"))
    if not title:  # a composed chart often carries its title on the first sub-chart
        for key in ("vconcat", "hconcat", "concat", "layer"):
            for child in spec.get(key) or []:
                if isinstance(child, dict):
                    title = title or _text(child.get("title"))
    return title, description


@dataclass(frozen=True)
class Layouts:
    """One chart drawn differently by width: ``wide`` from ``below`` px up, ``narrow`` under it.

    Displays like a chart (``_repr_markdown_``); ``min_plot`` is the smallest width, in pixels,
    that `charts.js` gives a ``"container"`` view.
    """

    wide: Any
    narrow: Any = None
    below: int = 560
    min_plot: int = 120

    def specs(self) -> list[tuple[int, dict[str, Any]]]:
        """(minimum box width, Vega-Lite spec) for each layout, narrowest first."""
        out = [] if self.narrow is None else [(0, _as_spec(self.narrow))]
        return [*out, (0 if self.narrow is None else self.below, _as_spec(self.wide))]

    @classmethod
    def compact_below(
        cls, build: Any, *args: Any, below: int, min_plot: int = 120, **kwargs: Any
    ) -> Layouts:
        """``build(*args, **kwargs)`` from ``below`` px up, ``build(..., compact=True)`` under."""
        return cls(
            build(*args, **kwargs), narrow=build(*args, compact=True, **kwargs),
            below=below, min_plot=min_plot,
        )

    def _repr_markdown_(self) -> str:
        return raw_html_block(chart_html(self))


def _as_spec(chart: Any) -> dict[str, Any]:
    return chart if isinstance(chart, dict) else chart.to_dict()


#: A plot width no chart uses: "container" views are compiled at this width, which is then
#: replaced by the ``asps_plot`` signal that ``assets/charts.js`` sets to the box's width.
SENTINEL_WIDTH = 987_654
PLOT_SIGNAL = "asps_plot"


def _mark_container(node: Any) -> tuple[Any, bool]:
    """A copy of a Vega-Lite spec with every ``"container"`` width set to `SENTINEL_WIDTH`."""
    found = False

    def walk(value: Any) -> Any:
        nonlocal found
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if key == "width" and item == "container":
                found = True
                out[key] = SENTINEL_WIDTH
            else:
                out[key] = walk(item)
        return out

    return walk(node), found


def compile_vega(spec: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Compile a Vega-Lite spec to Vega (vl-convert); return it with the name of the signal
    that sets the width of its ``"container"`` views (``None`` when no view stretches).

    Vega-Lite compiles a fixed width either to the top-level ``width`` (one view, or views
    stacked with one width: the signal is ``width``) or to a ``<view>_width`` signal (views
    side by side: those are bound to a new `PLOT_SIGNAL`). A sentinel left anywhere else is an
    error, not a chart of the wrong width.
    """
    import vl_convert as vlc

    marked, stretch = _mark_container(spec)
    vega = vlc.vegalite_to_vega(marked, vl_version=_vl_version())
    if not stretch:
        return vega, None
    signal = None
    if vega.get("width") == SENTINEL_WIDTH:
        vega["width"], signal = 300, "width"
    rebound = [s for s in vega.get("signals", []) if s.get("value") == SENTINEL_WIDTH]
    for item in rebound:
        del item["value"]
        item["update"] = PLOT_SIGNAL
    if rebound:
        if signal:
            raise ValueError("a chart stretches both a top-level width and side-by-side views")
        vega["signals"] = [{"name": PLOT_SIGNAL, "value": 300}, *vega["signals"]]
        signal = PLOT_SIGNAL
    if signal is None or str(SENTINEL_WIDTH) in json.dumps(vega):
        raise ValueError("a 'container' width was compiled where asps.render cannot bind it")
    # Re-measure the drawing on every update, or the view keeps its first (widest) size.
    vega["autosize"] = {"type": "pad", "resize": True}
    return vega, signal


def _shared_datasets(
    layouts: list[tuple[int, dict[str, Any], str | None]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Move the inline data of the Vega layouts into one ``datasets`` map, each value once;
    a data entry keeps the name of its values as ``asps_values``."""
    datasets: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    for minimum, vega, signal in layouts:
        vega = dict(vega)
        data = []
        for entry in vega.get("data", []):
            entry = dict(entry)
            if "values" in entry:
                text = json.dumps(entry["values"], sort_keys=True, default=str)
                name = "d-" + hashlib.sha1(text.encode()).hexdigest()[:12]
                datasets.setdefault(name, entry.pop("values"))
                entry["asps_values"] = name
            data.append(entry)
        vega["data"] = data
        out.append({"min": minimum, "signal": signal, "spec": vega})
    return datasets, out


def _heading(title: Any) -> str:
    """A chart's title and subtitle lines as HTML (hidden from assistive technology, which
    reads them from the chart's label)."""
    if not title:
        return ""
    text = _text(title.get("text") if isinstance(title, dict) else title)
    subtitle = title.get("subtitle") if isinstance(title, dict) else None
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    sub = "".join(
        f'<p class="asps-chart-subtitle">{html.escape(_text(line))}</p>' for line in lines
    )
    return (
        f'<div class="asps-chart-heading" aria-hidden="true">'
        f'<p class="asps-chart-title">{html.escape(text)}</p>{sub}</div>'
    )


def chart_html(chart: dict[str, Any] | Layouts | Any, *, chart_id: str | None = None) -> str:
    """The HTML a chart displays as: a labelled container holding its layouts as JSON.

    Parameters
    ----------
    chart
        A Vega-Lite spec (``chart.to_dict()``), an Altair chart, or `Layouts`.
    chart_id
        ``id`` of the container; by default ``asps-chart-<hash of spec>-<n>``, unique per kernel.

    Returns
    -------
    str
        An HTML fragment: no external resource but the site's own scripts.

    Examples
    --------
    >>> out = chart_html({"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    ...                   "title": "T", "mark": "point"}, chart_id="c1")
    >>> 'aria-label="T"' in out and 'class="asps-chart-spec"' in out
    True
    """
    layouts = chart if isinstance(chart, Layouts) else Layouts(chart)
    specs = layouts.specs()
    spec = specs[-1][1]
    title, description = _title_and_description(spec)
    heading = _heading(spec.get("title"))
    # The title is page text above the drawing: it wraps on a phone, as SVG text cannot.
    compiled = [
        (minimum, *compile_vega({k: v for k, v in vl.items() if k != "title"}))
        for minimum, vl in specs
    ]
    datasets, drawn = _shared_datasets(compiled)
    for layout in drawn:
        layout["minPlot"] = layouts.min_plot
    payload = {"datasets": datasets, "layouts": drawn}
    if chart_id is None:
        digest = hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        chart_id = f"asps-chart-{digest[:8]}-{next(_counter)}"
    label = title or description or "Chart"
    describe = ""
    desc_html = ""
    if description and description != label:
        describe = f' aria-describedby="{html.escape(chart_id)}-desc"'
        desc_html = (
            f'<p class="visually-hidden asps-chart-desc" id="{html.escape(chart_id)}-desc">'
            f"{html.escape(description)}</p>"
        )
    return (
        f'<div class="asps-chart" id="{html.escape(chart_id)}" role="figure" '
        f'aria-label="{html.escape(label)}"{describe}>'
        f'{heading}{desc_html}<div class="asps-chart-view"></div>'
        f"<noscript><p>{html.escape(label)}. {html.escape(description)}</p></noscript>"
        f'<script type="application/json" class="asps-chart-spec">{_js_json(payload)}</script>'
        "</div>"
    )


_SPEC_CLASS = '<script type="application/json" class="asps-chart-spec">'


def chart_layouts(page: str) -> list[list[dict[str, Any]]]:
    """For every chart `chart_html` put in ``page`` (any HTML text), its layouts' Vega specs
    with their data, narrowest first."""
    out = []
    start = page.find(_SPEC_CLASS)
    while start >= 0:
        begin = start + len(_SPEC_CLASS)
        end = page.index("</script>", begin)
        payload = json.loads(page[begin:end])
        out.append([_with_values(layout["spec"], payload["datasets"])
                    for layout in payload["layouts"]])
        start = page.find(_SPEC_CLASS, end)
    return out


def _with_values(vega: dict[str, Any], datasets: dict[str, Any]) -> dict[str, Any]:
    data = []
    for entry in vega.get("data", []):
        entry = dict(entry)
        name = entry.pop("asps_values", None)
        if name is not None:
            entry["values"] = datasets[name]
        data.append(entry)
    return dict(vega, data=data)


def chart_specs(page: str) -> list[dict[str, Any]]:
    """The widest layout's Vega spec of every chart `chart_html` put in ``page``."""
    return [layouts[-1] for layouts in chart_layouts(page)]


def standalone_assets(*, charts: bool = False) -> str:
    """The site's scripts and styles inline, for a page that Quarto did not make; with
    ``charts``, the Vega bundle too (written first if needed)."""
    styles = "".join(f"<style>{(ASSETS_DIR / n).read_text()}</style>" for n in ASSET_STYLES)
    names = [Path(BUNDLE_PATH).name] if charts else []
    if charts:
        write_bundle(ASSETS_DIR)
    scripts = "".join(
        f"<script>{(ASSETS_DIR / n).read_text()}</script>" for n in [*names, *ASSET_SCRIPTS]
    )
    return styles + scripts


def raw_html_block(markup: str) -> str:
    """``markup`` as a Pandoc raw HTML block, for a ``text/markdown`` output.

    Quarto's jupyter engine adds require.js and jQuery from a public CDN to every page whose
    notebook has a ``text/html`` output (``src/core/jupyter/widgets.ts``); raw HTML inside a
    Markdown output reaches the page just the same without that. The fence is longer than any
    run of backticks in ``markup``, so no content can close it.
    """
    longest = max((len(run) for run in re.findall(r"`+", markup)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{markup}\n{fence}\n"


def _renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    return {"text/markdown": raw_html_block(chart_html(spec))}


def setup() -> None:
    """Make every chart in this kernel display as offline HTML (see the module docstring).

    Call once, in a chapter's first cell (``import asps; asps.setup()``).
    """
    alt.renderers.register(RENDERER, _renderer)
    alt.renderers.enable(RENDERER)


#: npm packages (pinned in package-lock.json) the bundle is built from; ``ASPS_NODE_MODULES``
#: points a copy of the package at the project's.
NODE_MODULES = Path(os.environ.get("ASPS_NODE_MODULES") or ASSETS_DIR.parent / "node_modules")
VEGA_BUILD = NODE_MODULES / "vega" / "build" / "vega.min.js"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
TOOLTIP_ENTRY = ASSETS_DIR / "vega-entry.mjs"


def _npm_version(package: str) -> str:
    return json.loads((NODE_MODULES / package / "package.json").read_text())["version"]


def bundle_header() -> str:
    """First line of the bundle: the library versions, so a stale bundle is rebuilt."""
    entry = hashlib.sha1(TOOLTIP_ENTRY.read_bytes()).hexdigest()[:8]
    return (
        f"/*! vega {_npm_version('vega')}, vega-tooltip {_npm_version('vega-tooltip')}, "
        f"esbuild {_npm_version('esbuild')}, entry {entry}; written by asps.render.write_bundle */"
    )


def _vl_version() -> str:
    """The Vega-Lite minor version Altair writes specs for, e.g. ``"6.4"``."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


def write_bundle(dest: Path | str, *, force: bool = False) -> Path:
    """Write Vega and vega-tooltip as one classic script (``window.vega``, ``window.vegaTooltip``).

    The charts are compiled from Vega-Lite to Vega when the site is built (`compile_vega`),
    so pages need neither the Vega-Lite compiler nor vega-embed: Vega's own minified build,
    then vega-tooltip bundled by esbuild. Both come from npm (``npm ci``); an up-to-date file
    (same header) is left alone.

    Parameters
    ----------
    dest
        The file to write; a folder (or a path not ending in ``.js``) means
        ``<dest>/vega-bundle.js``.
    force
        Rewrite even if the file is up to date.

    Returns
    -------
    Path
        The bundle's path.
    """
    import subprocess

    if not (VEGA_BUILD.exists() and ESBUILD.exists()):
        raise FileNotFoundError(
            f"{display_path(VEGA_BUILD)} or esbuild is missing: run `npm ci` "
            "(make render and make test do)"
        )
    dest = Path(dest)
    if dest.is_dir() or dest.suffix != ".js":
        dest = dest / Path(BUNDLE_PATH).name
    header = bundle_header()
    if not force and dest.exists():
        with dest.open(encoding="utf-8") as existing:
            if existing.readline().rstrip("\n") == header:
                return dest
    done = subprocess.run(
        [str(ESBUILD), str(TOOLTIP_ENTRY), "--bundle", "--minify", "--format=iife",
         "--legal-comments=none", "--log-level=warning"],
        capture_output=True, text=True, cwd=ASSETS_DIR.parent,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    if done.returncode:
        raise RuntimeError(
            f"esbuild could not bundle {display_path(TOOLTIP_ENTRY)}:\n{done.stderr}"
        )
    tooltip = done.stdout
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_text(
        f"{header}\n{VEGA_BUILD.read_text(encoding='utf-8')}\n{tooltip}", encoding="utf-8"
    )
    tmp.replace(dest)
    return dest
