"""Charts that load nothing from a CDN and take the width of the column they are in.

`setup()` (called by every chapter's first cell as ``asps.setup()``) enables the ``asps``
Altair renderer. Each chart then displays as a raw HTML block in ``text/markdown`` (never
``text/html``: see `raw_html_block`): a ``<div class="asps-chart">`` carrying the chart's title
and description for assistive technology, and its Vega-Lite spec as JSON data. The site's
script ``assets/charts.js`` (added to every page by the ``assets/asps.lua`` filter) draws it:
it loads the shared Vega bundle (vega + vega-lite + vega-embed, written once by `write_bundle`
to ``assets/vega-bundle.js``) the first time a page needs it, sets every view whose width is
``"container"`` to the box width, and redraws when the box changes.

A chart may have several layouts (`Layouts`): ``Layouts(wide, narrow=narrow, below=560)``
draws ``narrow`` in boxes under 560 px, so a phone gets a chart designed for it rather than a
squeezed desktop chart. Inline data that layouts share is stored once.

Spec text is JSON with ``<``, ``>``, ``&`` and the line separators escaped, so no data value
(such as ``</script>``) can end the script element early; vega-embed's tooltips escape HTML.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt

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
#: Where the bundle lives, relative to the site root (and to the project: Quarto copies it,
#: ``project.resources: assets/*.js``).
BUNDLE_PATH = "assets/vega-bundle.js"
_settings: dict[str, Any] = {"offset": "./"}
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

    def _repr_markdown_(self) -> str:
        return raw_html_block(chart_html(self))


def _as_spec(chart: Any) -> dict[str, Any]:
    return chart if isinstance(chart, dict) else chart.to_dict()


def _shared_datasets(
    layouts: list[tuple[int, dict[str, Any]]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Move every inline data block of the layouts into one ``datasets`` map, each value once."""
    datasets: dict[str, Any] = {}
    out: list[dict[str, Any]] = []

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        node = {k: walk(v) for k, v in node.items()}
        data = node.get("data")
        if isinstance(data, dict) and "values" in data:
            text = json.dumps(data["values"], sort_keys=True, default=str)
            name = "d-" + hashlib.sha1(text.encode()).hexdigest()[:12]
            datasets.setdefault(name, data["values"])
            node["data"] = {k: v for k, v in data.items() if k != "values"} | {"name": name}
        return node

    for minimum, spec in layouts:
        spec = dict(spec)
        datasets.update(spec.pop("datasets", {}) or {})
        out.append({"min": minimum, "spec": walk(spec)})
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


def chart_html(
    chart: dict[str, Any] | Layouts | Any, *, chart_id: str | None = None, offset: str = "./"
) -> str:
    """The HTML a chart displays as: a labelled container holding its layouts as JSON.

    Parameters
    ----------
    chart
        A Vega-Lite spec (``chart.to_dict()``), an Altair chart, or `Layouts`.
    chart_id
        ``id`` of the container; by default ``asps-chart-<hash of spec>-<n>``, unique per kernel.
    offset
        Path from the page to the site root, used only where the page has no
        ``quarto:offset`` meta.

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
    datasets, drawn = _shared_datasets(specs)
    for layout in drawn:
        layout["minPlot"] = layouts.min_plot
    payload = {"datasets": datasets, "layouts": drawn}
    if chart_id is None:
        digest = hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        chart_id = f"asps-chart-{digest[:8]}-{next(_counter)}"
    title, description = _title_and_description(spec)
    heading = _heading(spec.get("title"))
    for layout in drawn:
        # The title is page text above the drawing: it wraps on a phone, as SVG text cannot.
        layout["spec"].pop("title", None)
    label = title or description or "Chart"
    describe = ""
    desc_html = ""
    if description and description != label:
        describe = f' aria-describedby="{chart_id}-desc"'
        desc_html = (
            f'<p class="visually-hidden asps-chart-desc" id="{chart_id}-desc">'
            f"{html.escape(description)}</p>"
        )
    return (
        f'<div class="asps-chart" id="{chart_id}" role="figure" '
        f'aria-label="{html.escape(label)}"{describe} data-offset="{html.escape(offset)}">'
        f'{heading}{desc_html}<div class="asps-chart-view"></div>'
        f"<noscript><p>{html.escape(label)}. {html.escape(description)}</p></noscript>"
        f'<script type="application/json" class="asps-chart-spec">{_js_json(payload)}</script>'
        "</div>"
    )


_SPEC_CLASS = '<script type="application/json" class="asps-chart-spec">'


def chart_layouts(page: str) -> list[list[dict[str, Any]]]:
    """For every chart `chart_html` put in ``page`` (any HTML text), its layouts' specs, each
    with the shared ``datasets``, narrowest first."""
    out = []
    start = page.find(_SPEC_CLASS)
    while start >= 0:
        begin = start + len(_SPEC_CLASS)
        end = page.index("</script>", begin)
        payload = json.loads(page[begin:end])
        out.append(
            [dict(layout["spec"], datasets=payload["datasets"]) for layout in payload["layouts"]]
        )
        start = page.find(_SPEC_CLASS, end)
    return out


def chart_specs(page: str) -> list[dict[str, Any]]:
    """The widest layout's Vega-Lite spec of every chart `chart_html` put in ``page``."""
    return [layouts[-1] for layouts in chart_layouts(page)]


def standalone_assets() -> str:
    """The site's scripts and styles inline, for a page that Quarto did not make."""
    styles = "".join(f"<style>{(ASSETS_DIR / n).read_text()}</style>" for n in ASSET_STYLES)
    scripts = "".join(
        f"<script>{(ASSETS_DIR / n).read_text()}</script>" for n in ASSET_SCRIPTS
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
    return {"text/markdown": raw_html_block(chart_html(spec, offset=_settings["offset"]))}


def setup(offset: str = "./") -> None:
    """Make every chart in this kernel display as offline HTML (see the module docstring).

    Call once, in a chapter's first cell (``import asps; asps.setup()``).

    Parameters
    ----------
    offset
        Path from the page to the site root, used only by pages without Quarto's
        ``quarto:offset`` meta (Quarto pages always have it).
    """
    _settings["offset"] = offset
    alt.renderers.register(RENDERER, _renderer)
    alt.renderers.enable(RENDERER)
    # Tables (asps.tables.interactive_table) carry their own few kB of script: nothing to load.


def bundle_header() -> str:
    """First line of the bundle: the library versions, so a stale bundle is rebuilt."""
    import vl_convert as vlc

    return (
        f"/*! vega {vlc.get_vega_version()}, vega-lite {_vl_version()}, "
        f"vega-embed {vlc.get_vega_embed_version()}; vl-convert {vlc.__version__}; "
        "written by asps.render.write_bundle */"
    )


def _vl_version() -> str:
    """The Vega-Lite minor version Altair writes specs for, e.g. ``"6.4"``."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


def write_bundle(dest: Path | str, *, force: bool = False) -> Path:
    """Write vega, vega-lite and vega-embed as one classic script defining ``window.vegaEmbed``.

    vl-convert bundles the three libraries with their dependencies (no network needed); the
    result is wrapped in a function so its top-level names stay out of the page's global scope.
    Rebuilding takes about 10 s, so an up-to-date file (same header) is left alone.

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
    import vl_convert as vlc

    dest = Path(dest)
    if dest.is_dir() or dest.suffix != ".js":
        dest = dest / Path(BUNDLE_PATH).name
    header = bundle_header()
    if not force and dest.exists():
        with dest.open(encoding="utf-8") as existing:
            if existing.readline().rstrip("\n") == header:
                return dest
    body = vlc.javascript_bundle(vl_version=_vl_version())
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_text(f"{header}\n(function(){{\n{body}\n}})();\n", encoding="utf-8")
    tmp.replace(dest)
    return dest
