"""Interactive HTML tables that work offline: sortable, searchable, paged, phone-readable.

Why not itables: its offline mode (``init_notebook_mode(connected=False)``) inlines the whole
DataTables bundle, about 970 kB of base64, into every page that shows a table, and it depends on a
notebook-wide initialisation cell. The few kilobytes of vanilla JavaScript here do what the site
needs (sort, search, page) with no request to any server, and every row stays in the static HTML,
so a page without JavaScript (or a search engine, or a printout) still shows the full table.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from dataclasses import dataclass

import pandas as pd

__all__ = ["HTMLFragment", "ID_PATTERN", "TABLE_CSS", "TABLE_JS", "interactive_table"]

ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class HTMLFragment:
    """A piece of HTML that Quarto puts in the page as it is (a raw HTML block in Markdown)."""

    html: str

    def _repr_markdown_(self) -> str:
        from asps.render import raw_html_block

        return raw_html_block(self.html)

    def __str__(self) -> str:
        return self.html


# Cell padding and line height are whole pixels so that every row has the same sub-pixel offset:
# otherwise Chromium paints a sticky cell's background over the border of the row above.
# Scoped under .asps-table; Bootstrap variables (set by the site's theme) with fallbacks for
# a bare page, so the table follows the light and the dark theme.
TABLE_CSS = """
.asps-table{margin:1rem 0;font-size:.9rem;--asps-bg:var(--bs-body-bg,#fff);
--asps-line:var(--bs-border-color,#8a8a8a66);--asps-muted:var(--bs-secondary-color,#6c757d)}
.asps-table [hidden]{display:none!important}
.asps-table .asps-table-caption{font-weight:600;margin:0 0 .35rem}
.asps-table .asps-table-controls{display:flex;flex-wrap:wrap;gap:.4rem .75rem;align-items:center;
margin:0 0 .4rem}
.asps-table input[type=search]{flex:1 1 12rem;max-width:24rem;min-height:2.25rem;
padding:.3rem .5rem;font:inherit;color:inherit;background:var(--asps-bg);
border:1px solid var(--asps-line);border-radius:.25rem}
.asps-table .asps-table-status{color:var(--asps-muted);font-size:.85em}
.asps-table .asps-table-scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.asps-table table{border-collapse:separate;border-spacing:0;width:100%;margin:0}
.asps-table th,.asps-table td{padding:6px 8px;line-height:20px;
border-bottom:1px solid var(--asps-line);
text-align:left;vertical-align:top;max-width:30rem;overflow-wrap:break-word}
.asps-table .asps-col-short{white-space:nowrap}
.asps-table .asps-col-medium{min-width:9rem}
.asps-table .asps-col-long{min-width:15rem}
.asps-table thead th{white-space:nowrap;vertical-align:bottom;border-bottom-width:2px}
.asps-table thead th button{all:unset;cursor:pointer;display:inline-flex;gap:.25rem;
align-items:center}
.asps-table thead th button:focus-visible{outline:2px solid #0072B2;outline-offset:2px}
.asps-table thead th button::after{content:"\\2195";opacity:.35;font-size:.8em}
.asps-table thead th[aria-sort=ascending] button::after{content:"\\25B2";opacity:.8}
.asps-table thead th[aria-sort=descending] button::after{content:"\\25BC";opacity:.8}
.asps-table.asps-table-sticky tr>:first-child{position:sticky;left:0;z-index:1;
background:var(--asps-bg);min-width:7rem;max-width:11rem}
.asps-table .asps-table-pager{display:flex;gap:.5rem;align-items:center;margin-top:.4rem;
flex-wrap:wrap}
.asps-table .asps-table-pager button{font:inherit;color:inherit;background:var(--asps-bg);
border:1px solid var(--asps-line);border-radius:.25rem;padding:.25rem .7rem;min-height:2.25rem}
.asps-table .asps-table-pager button[disabled]{opacity:.4}
.asps-table .asps-table-empty{color:var(--asps-muted);font-style:italic}
.asps-table .asps-table-more{color:var(--asps-muted);font-size:.85em;margin:.2rem 0}
@media print{.asps-table .asps-table-controls,.asps-table .asps-table-pager{display:none}}
""".strip()

# Defined once per page (window.__aspsTable), then applied to each table by id. Rows are moved
# and hidden, never rebuilt, so no cell text passes through innerHTML.
TABLE_JS = r"""
window.__aspsTable = window.__aspsTable || function (root) {
  if (!root || root.__aspsReady) return;
  root.__aspsReady = true;
  var table = root.querySelector("table"), body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (r, i) { r.__index = i; r.__text = r.textContent.toLowerCase(); });
  var input = root.querySelector("input[type=search]");
  var status = root.querySelector(".asps-table-status");
  var pager = root.querySelector(".asps-table-pager");
  var prev = pager.querySelector("[data-step='-1']"), next = pager.querySelector("[data-step='1']");
  var where = pager.querySelector(".asps-table-page");
  var empty = root.querySelector(".asps-table-empty");
  var scroller = root.querySelector(".asps-table-scroll");
  var more = root.querySelector(".asps-table-more");
  function hint() { more.hidden = scroller.scrollWidth <= scroller.clientWidth + 2; }
  window.addEventListener("resize", hint);
  var size = parseInt(root.getAttribute("data-page-length"), 10) || 0;
  var order = rows.slice(), shown = rows, page = 0;
  root.querySelector(".asps-table-controls").hidden = false;
  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) return "";
    var k = cell.getAttribute("data-sort");
    return k === null ? cell.textContent.trim() : k;
  }
  var NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  function compare(a, b) {
    if (a === b) return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    if (NUM.test(a) && NUM.test(b)) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }
  function render() {
    var pages = size ? Math.max(1, Math.ceil(shown.length / size)) : 1;
    page = Math.min(page, pages - 1);
    var from = size ? page * size : 0, to = size ? from + size : shown.length;
    var visible = {};
    shown.slice(from, to).forEach(function (r) { visible[r.__index] = true; });
    rows.forEach(function (r) { r.hidden = !visible[r.__index]; });
    var total = rows.length, n = shown.length;
    var text = n === 0 ? "No matching rows" : "Showing " + (from + 1) + "\u2013" +
      Math.min(to, n) + " of " + n + " row" + (n === 1 ? "" : "s");
    if (n !== total) text += " (filtered from " + total + ")";
    status.textContent = text;
    empty.hidden = n !== 0;
    pager.hidden = pages < 2;
    where.textContent = "Page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function filter() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    shown = order.filter(function (r) {
      return terms.every(function (t) { return r.__text.indexOf(t) !== -1; });
    });
    page = 0;
    render();
  }
  input.addEventListener("input", filter);
  pager.addEventListener("click", function (e) {
    var step = e.target.getAttribute && e.target.getAttribute("data-step");
    if (step) { page += parseInt(step, 10); render(); }
  });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      order = rows.slice().sort(function (a, b) {
        var ka = key(a, col), kb = key(b, col);
        // Empty cells stay last whichever way the column is sorted.
        if (ka === "" || kb === "") return compare(ka, kb) || a.__index - b.__index;
        return dir * compare(ka, kb) || a.__index - b.__index;
      });
      order.forEach(function (r) { body.appendChild(r); });
      filter();
    });
  });
  render();
  hint();
};
""".strip()


def _cell_text(value: object) -> str:
    """Plain text for one value: missing values are empty, floats keep their shortest form."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _sort_key(value: object) -> str | None:
    """A numeric sort key where the displayed text would not sort correctly on its own."""
    if isinstance(value, bool) or value is None or value is pd.NA:
        return None
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return repr(float(value))
    return None


def _width_class(texts: list[str]) -> str:
    """Column class from its longest text: short columns never wrap, long ones never squeeze."""
    longest = max((len(text) for text in texts), default=0)
    if longest <= 18:
        return "asps-col-short"
    return "asps-col-long" if longest > 90 else "asps-col-medium"


def _default_id(caption: str, body: str) -> str:
    digest = hashlib.sha1(f"{caption}\n{body}".encode()).hexdigest()[:10]
    return f"tbl-{digest}"


def interactive_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    table_id: str | None = None,
    page_length: int = 25,
    escape: bool = True,
    sticky_first_column: bool = False,
    sort_keys: pd.DataFrame | None = None,
) -> HTMLFragment:
    """Render ``frame`` as a sortable, searchable, paged HTML table with no external resource.

    Parameters
    ----------
    frame
        The rows to show. A named index is shown as the first column(s); an unnamed one is not.
    caption
        Text above the table; always HTML-escaped.
    table_id
        ``id`` of the wrapper element (letters, digits, ``-``, ``_``); derived from the content
        when omitted, so that the output is deterministic.
    page_length
        Rows per page; ``0`` shows every row.
    escape
        HTML-escape every cell (the default). ``False`` inserts cell strings as markup: only for
        cells built by trusted code that has escaped the data it embeds. Column headers are
        always escaped.
    sticky_first_column
        Keep the first column in view while the table scrolls sideways (row labels on a phone).
    sort_keys
        Optional frame with one row per displayed row (in order) and some of the displayed
        columns, giving the key each cell sorts by where its text does not sort by meaning;
        missing keys fall back to the cell's number or text.

    Returns
    -------
    HTMLFragment
        Displayed as HTML by Jupyter and Quarto; ``str()`` gives the markup.

    Examples
    --------
    >>> table = interactive_table(pd.DataFrame({"a": [1]}), caption="One row", table_id="t1")
    >>> 'id="t1"' in str(table)
    True
    """
    if page_length < 0:
        raise ValueError("page_length must be 0 (all rows) or a positive number")
    if table_id is not None and not ID_PATTERN.match(table_id):
        raise ValueError(f"table_id must match {ID_PATTERN.pattern}, got {table_id!r}")
    shown = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
    if sort_keys is not None:
        if len(sort_keys) != len(shown):
            raise ValueError("sort_keys must have one row per row of frame")
        sort_keys = sort_keys.reset_index(drop=True).reindex(columns=shown.columns)

    widths = [
        _width_class(
            [_TAG.sub("", html.unescape(_cell_text(v))) if not escape else _cell_text(v)
             for v in shown.iloc[:, number]]
        )
        for number in range(shown.shape[1])
    ]
    head = "".join(
        f'<th scope="col"><button type="button">{html.escape(str(column))}</button></th>'
        for column in shown.columns
    )
    body_rows = []
    for position, row in enumerate(shown.itertuples(index=False, name=None)):
        cells = []
        for column_number, value in enumerate(row):
            text = _cell_text(value)
            if escape:
                content = html.escape(text)
            elif isinstance(value, str) or text == "":
                content = text
            else:
                raise TypeError("with escape=False every cell must be a str of trusted markup")
            key = None
            if sort_keys is not None:
                key = sort_keys.iat[position, column_number]
                key = None if key is None or pd.isna(key) else key
            if key is None:
                key = _sort_key(value)
            attribute = "" if key is None else f' data-sort="{html.escape(str(key))}"'
            cells.append(f'<td class="{widths[column_number]}"{attribute}>{content}</td>')
        body_rows.append(f"<tr>{''.join(cells)}</tr>")
    body = "\n".join(body_rows)
    identifier = table_id or _default_id(caption, head + body)
    caption_id = f"{identifier}-caption"
    classes = "asps-table asps-table-sticky" if sticky_first_column else "asps-table"
    markup = f"""<!--| quarto-html-table-processing: none -->
<div class="{classes}" id="{identifier}" data-page-length="{page_length}">
<style>{TABLE_CSS}</style>
<p class="asps-table-caption" id="{caption_id}">{html.escape(caption)}</p>
<div class="asps-table-controls" hidden>
<input type="search" placeholder="Search this table" aria-label="Search: {html.escape(caption)}"
 aria-controls="{identifier}-table">
<span class="asps-table-status" aria-live="polite"></span>
</div>
<p class="asps-table-more" hidden>Scroll sideways for more columns &rarr;</p>
<div class="asps-table-scroll" tabindex="0" role="region" aria-labelledby="{caption_id}">
<table id="{identifier}-table" aria-labelledby="{caption_id}">
<thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody>
</table>
</div>
<p class="asps-table-empty" hidden>No row matches the search.</p>
<div class="asps-table-pager" hidden>
<button type="button" data-step="-1">Previous</button>
<span class="asps-table-page"></span>
<button type="button" data-step="1">Next</button>
</div>
<script>{TABLE_JS}
window.__aspsTable(document.getElementById("{identifier}"));</script>
</div>"""
    return HTMLFragment(markup)
