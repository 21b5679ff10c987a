"""Charts that load nothing from a CDN: an Altair renderer and the site's one Vega bundle.

`setup()` (called by every chapter's first cell as ``asps.setup()``) enables the ``asps``
Altair renderer. Each chart then displays as a raw HTML block in ``text/markdown`` (never
``text/html``: see `raw_html_block`): a ``<div>`` carrying the chart's
title and description for assistive technology, and a small inline script holding the
Vega-Lite spec. The script loads the site's shared bundle (vega + vega-lite + vega-embed,
about 0.9 MB, written once by `write_bundle` to ``assets/vega-bundle.js``) the first time a
page needs it, then calls ``vegaEmbed(...)``.

How a page finds the bundle: Quarto writes ``<meta name="quarto:offset" content="../">`` into
every page of a book or website (the path from that page back to the site root), so the
loader asks for ``<offset>assets/vega-bundle.js``, which is right at any depth. Without that
meta (a page not made by Quarto), it falls back to ``setup(offset=...)``, default ``"./"``.
Every chart on a page shares one ``<script>`` element and one download. A drawn chart's
container gets ``data-asps-chart="ready"`` (``"error"``, with a message, if the bundle did not
load) and its Vega view as ``__aspsView``: the browser tests and benchmarks use both.

Spec text is JSON with ``<``, ``>``, ``&`` and the line separators escaped, so no data value
(such as ``</script>``) can end the inline script early; vega-embed's tooltips escape HTML.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from pathlib import Path
from typing import Any

import altair as alt

__all__ = [
    "BUNDLE_PATH",
    "RENDERER",
    "bundle_header",
    "chart_html",
    "chart_specs",
    "raw_html_block",
    "setup",
    "write_bundle",
]

RENDERER = "asps"
#: Where the bundle lives, relative to the site root (and to the project: Quarto copies it,
#: ``project.resources: assets/*.js``).
BUNDLE_PATH = "assets/vega-bundle.js"
#: vega-embed options: SVG (readable by screen readers and tests), no link to the online editor.
EMBED_OPTIONS: dict[str, Any] = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}

_settings: dict[str, Any] = {"offset": "./"}
_counter = itertools.count(1)

# On a phone a wide chart scrolls sideways in its box; its controls stay in view and wrap.
CHART_CSS = (
    ".asps-chart .vega-bindings{position:sticky;left:0;max-width:calc(100vw - 2rem);"
    "white-space:normal}.asps-chart .vega-bind-radio label{display:inline-block;"
    "margin-right:.75em}.asps-chart .vega-bind select{max-width:100%}"
)

# Shared by every chart on a page: the first chart adds the <script> (and the CSS), the rest
# wait for it. A drawn chart gets data-asps-chart="ready" and its Vega view as el.__aspsView.
_LOADER = """(function(){var w=window;if(!w.__aspsVega){var c=document.createElement("style");
c.textContent=%(css)s;document.head.appendChild(c);w.__aspsVega=new Promise(function(ok,fail){
var m=document.querySelector('meta[name="quarto:offset"]');
var o=m?m.getAttribute("content"):%(offset)s;if(o&&o.slice(-1)!=="/")o+="/";
var s=document.createElement("script");s.src=(o||"./")+%(bundle)s;
s.onload=function(){w.vegaEmbed?ok(w.vegaEmbed):fail(new Error("no vegaEmbed in "+s.src));};
s.onerror=function(){fail(new Error("could not load "+s.src));};document.head.appendChild(s);});}
var el=document.getElementById(%(id)s);
w.__aspsVega.then(function(vegaEmbed){return vegaEmbed(el.querySelector(".asps-chart-view"),
/*spec*/%(spec)s,%(options)s);}).then(function(r){el.__aspsView=r.view;
var b=el.querySelector(".vega-embed summary");
if(b)b.setAttribute("aria-label","Save the chart as SVG or PNG");
el.setAttribute("data-asps-chart","ready");}).catch(function(e){var p=document.createElement("p");
el.setAttribute("data-asps-chart","error");p.className="asps-chart-error";
p.textContent="The interactive chart could not be shown ("+e.message+"). "+
(el.getAttribute("aria-label")||"");el.appendChild(p);if(w.console)console.error(e);});})();"""


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


def chart_html(spec: dict[str, Any], *, chart_id: str | None = None, offset: str = "./") -> str:
    """The HTML a chart displays as: a labelled container and a script that embeds ``spec``.

    Parameters
    ----------
    spec
        A Vega-Lite spec (``chart.to_dict()``).
    chart_id
        ``id`` of the container; by default ``asps-chart-<hash of spec>-<n>``, unique per kernel.
    offset
        Path from the page to the site root, used only where the page has no
        ``quarto:offset`` meta.

    Returns
    -------
    str
        An HTML fragment: no external resource but the site's own bundle.

    Examples
    --------
    >>> out = chart_html({"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    ...                   "title": "T", "mark": "point"}, chart_id="c1")
    >>> 'aria-label="T"' in out and "vegaEmbed(" in out
    True
    """
    if chart_id is None:
        digest = hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
        chart_id = f"asps-chart-{digest[:8]}-{next(_counter)}"
    title, description = _title_and_description(spec)
    label = title or description or "Chart"
    describe = ""
    desc_html = ""
    if description and description != label:
        describe = f' aria-describedby="{chart_id}-desc"'
        desc_html = (
            f'<p class="visually-hidden asps-chart-desc" id="{chart_id}-desc" '
            'style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);'
            f'white-space:nowrap">{html.escape(description)}</p>'
        )
    script = _LOADER % {
        "css": _js_json(CHART_CSS),
        "offset": _js_json(offset),
        "bundle": _js_json(BUNDLE_PATH),
        "id": _js_json(chart_id),
        "spec": _js_json(spec),
        "options": _js_json(EMBED_OPTIONS),
    }
    return (
        f'<div class="asps-chart" id="{chart_id}" role="figure" '
        f'aria-label="{html.escape(label)}"{describe} style="max-width:100%;overflow-x:auto">'
        f'{desc_html}<div class="asps-chart-view"></div>'
        f"<noscript><p>{html.escape(label)}. {html.escape(description)}</p></noscript>"
        f"</div>\n<script>{script}</script>"
    )


_SPEC_MARK = "/*spec*/"


def chart_specs(page: str) -> list[dict[str, Any]]:
    """The Vega-Lite specs of every chart `chart_html` put in ``page`` (any HTML text)."""
    decoder = json.JSONDecoder()
    specs, start = [], page.find(_SPEC_MARK)
    while start >= 0:
        spec, end = decoder.raw_decode(page, start + len(_SPEC_MARK))
        specs.append(spec)
        start = page.find(_SPEC_MARK, end)
    return specs


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
