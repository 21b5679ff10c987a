"""asps.inline: every inline str reaches Quarto as Markdown escaped once; Markdown passes."""

from __future__ import annotations

import markdown_it
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from asps import inline
from asps.inline import Markdown

HOSTILE = "<img src=x onerror=alert(1)> *b* [c](d) `e` \\ 11 (16%)"


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    inline.setup()
    yield shell
    formatter = shell.display_formatter.formatters["text/markdown"]
    formatter.pop(str, None)
    formatter.pop(Markdown, None)
    plain = shell.display_formatter.formatters["text/plain"]
    for kind in inline.NUMPY_SCALARS:
        plain.pop(kind, None)


def test_an_inline_str_is_markdown_that_shows_its_text(shell):
    data, _ = shell.display_formatter.format(HOSTILE)
    html = markdown_it.MarkdownIt().render(data["text/markdown"])
    assert "<img" not in html and "<em>" not in html and "<a " not in html
    assert "&lt;img src=x onerror=alert(1)&gt; *b* [c](d) `e` \\ 11 (16%)" in html


def test_markdown_passes_as_it_is(shell):
    data, _ = shell.display_formatter.format(Markdown("[@cho2014]"))
    assert data["text/markdown"] == "[@cho2014]"


def test_numbers_stay_plain_text(shell):
    data, _ = shell.display_formatter.format(19)
    assert "text/markdown" not in data and data["text/plain"] == "19"


def test_a_numpy_count_prints_as_its_number(shell):
    # The audit page once read "np.int64(114) are reproduced".
    counts = {"int": np.int64(114), "float": np.float64(52.6)}
    assert shell.display_formatter.format(counts["int"])[0]["text/plain"] == "114"
    assert shell.display_formatter.format(counts["float"])[0]["text/plain"] == "52.6"
