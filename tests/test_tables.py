"""Tests of asps.tables.interactive_table: escaping, no external resource, sort, search, pages."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from asps.render import ASSETS_DIR, standalone_assets
from asps.tables import HTMLFragment, interactive_table

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["beta", "alpha", "gamma", SCRIPT, IMG],
            "value": [10, 9, 100, None, 2.5],
            "flag": [True, False, True, False, True],
        }
    )


def test_returns_html_that_quarto_puts_in_the_page_as_it_is() -> None:
    table = interactive_table(_frame(), caption="Example", table_id="t1")
    assert isinstance(table, HTMLFragment)
    assert str(table) == table.html
    assert table._repr_markdown_() == "```{=html}\n" + table.html + "\n```\n"
    assert '<div class="asps-table" id="t1"' in table.html


def test_every_text_is_escaped() -> None:
    frame = _frame().rename(columns={"name": "<b>name</b>"})
    markup = str(interactive_table(frame, caption=f"Caption {SCRIPT}", table_id="t2"))
    for raw in (SCRIPT, IMG, "<b>name</b>"):
        assert raw not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert "&lt;b&gt;name&lt;/b&gt;" in markup


def test_no_external_resource() -> None:
    markup = str(interactive_table(_frame(), caption="Offline", table_id="t3"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<link" not in markup
    assert "@import" not in markup
    assert "http" not in markup


def test_output_is_deterministic_and_ids_are_checked() -> None:
    first = interactive_table(_frame(), caption="Same")
    assert str(first) == str(interactive_table(_frame(), caption="Same"))
    assert str(first) != str(interactive_table(_frame(), caption="Other"))
    with pytest.raises(ValueError, match="table_id"):
        interactive_table(_frame(), caption="x", table_id='bad" onclick="x')
    with pytest.raises(ValueError, match="page_length"):
        interactive_table(_frame(), caption="x", page_length=-1)


def test_cells_missing_numbers_booleans_and_index() -> None:
    frame = _frame().set_index("name")
    markup = str(interactive_table(frame, caption="Index", table_id="t4"))
    assert ">name</button>" in markup  # a named index becomes a column
    assert 'data-sort="100.0"' in markup  # numbers sort as numbers, not as text
    assert "<td" in markup and ">yes<" in markup and ">no<" in markup
    assert re.search(r'<td class="[^"]*"></td>', markup)  # missing value is an empty cell
    unnamed = str(interactive_table(_frame(), caption="No index", table_id="t5"))
    first_row = unnamed.split("<tbody>")[1].split("</tr>")[0]
    assert re.match(r'\s*<tr><td class="[^"]*">beta</td>', first_row)  # an unnamed index is not


def test_trusted_markup_and_sort_keys() -> None:
    frame = pd.DataFrame({"cell": ["<em>x</em>", "<em>y</em>"]})
    keys = pd.DataFrame({"cell": ["2", None]})
    markup = str(
        interactive_table(frame, caption="Markup", table_id="t6", escape=False, sort_keys=keys)
    )
    assert "<em>x</em>" in markup and 'data-sort="2"' in markup
    with pytest.raises(TypeError):
        interactive_table(pd.DataFrame({"n": [1]}), caption="x", escape=False)
    with pytest.raises(ValueError, match="sort_keys"):
        interactive_table(frame, caption="x", sort_keys=keys.iloc[:1])


def test_page_length_and_sticky_column_are_emitted() -> None:
    markup = str(
        interactive_table(_frame(), caption="x", table_id="t7", page_length=2,
                          sticky_first_column=True)
    )
    assert 'data-page-length="2"' in markup
    assert "asps-table-sticky" in markup
    assert 'class="asps-table-scroll"' in markup  # phone: the table scrolls inside its box
    assert ".asps-table .asps-table-scroll{overflow-x:auto" in (
        ASSETS_DIR / "asps.css"
    ).read_text()


# --- in a browser ------------------------------------------------------------------------------




def _open(browser, tmp_path: Path, body: str, width: int = 1280):
    page_file = tmp_path / "page.html"
    page_file.write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{standalone_assets()}</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": width, "height": 800})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_file.as_uri())
    return page, requests, dialogs


def _names(page) -> list[str]:
    return page.eval_on_selector_all(
        "#tb tbody tr:not([hidden])", "rows => rows.map(r => r.cells[0].textContent)"
    )


@pytest.mark.browser
def test_sort_search_and_pages_in_chromium(browser, tmp_path: Path) -> None:
    table = interactive_table(_frame(), caption="Browser", table_id="tb", page_length=2)
    page, requests, dialogs = _open(browser, tmp_path, str(table))
    assert _names(page) == ["beta", "alpha"]
    page.click("#tb thead th:nth-child(2) button")  # value, ascending, numeric
    assert _names(page) == [IMG, "alpha"]
    page.click("#tb thead th:nth-child(2) button")  # descending; the empty value stays last
    assert _names(page) == ["gamma", "beta"]
    page.click("#tb .asps-table-pager [data-step='1']")
    page.click("#tb .asps-table-pager [data-step='1']")
    assert _names(page) == [SCRIPT]
    page.fill("#tb input[type=search]", "ALPHA")
    assert _names(page) == ["alpha"]
    assert "(filtered from 5)" in page.text_content("#tb .asps-table-status")
    page.fill("#tb input[type=search]", "onerror")
    assert _names(page) == [IMG]  # markup is searchable text, and never ran
    assert dialogs == []
    assert all(url.startswith("file:") for url in requests)
    page.close()


@pytest.mark.browser
def test_phone_width_scrolls_inside_the_table(browser, tmp_path: Path) -> None:
    wide = pd.DataFrame({f"column {i}": ["a fairly long text value " * 3] for i in range(8)})
    table = interactive_table(wide, caption="Wide", table_id="tb", sticky_first_column=True)
    page, _, _ = _open(browser, tmp_path, str(table), width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(
        "(() => { const s = document.querySelector('#tb .asps-table-scroll');"
        " return s.scrollWidth > s.clientWidth; })()"
    )
    assert page.is_visible("#tb .asps-table-more")
    page.close()
