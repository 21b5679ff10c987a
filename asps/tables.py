"""Interactive HTML tables that work offline: sortable, searchable, paged, phone-readable.

The markup is built here; its behaviour lives in ``assets/tables.js`` and its look in
``assets/asps.css``, which the ``assets/asps.lua`` filter adds to every page once.

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

__all__ = ["HTMLFragment", "ID_PATTERN", "interactive_table"]

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
</div>"""
    return HTMLFragment(markup)
