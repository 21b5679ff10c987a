"""Inline ``{python}`` results reach the page as text, escaped once, by us.

Quarto inserts a ``text/markdown`` result as it is and escapes a plain-text one itself, but only
some characters (``src/core/jupyter/jupyter-inline.ts``: not ``<``, so data text holding
``<img onerror=...>`` would become an element). `setup` therefore gives every ``str`` a
Markdown form with every ASCII punctuation character backslash-escaped (CommonMark and Pandoc
print an escaped character as itself), while `Markdown` (citations, and text this
package has escaped already) passes as it is.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["Markdown", "escape", "setup"]


class Markdown(str):
    """Text that Quarto inserts into the page as Markdown, as it is (no escaping of its own).

    A plain ``str`` from an inline expression is escaped by Quarto
    (``src/core/jupyter/jupyter-inline.ts``); this one is not, so the producer escapes.
    """

    def _repr_markdown_(self) -> str:
        return str(self)


#: A pandas count or mean is a NumPy scalar, whose repr under NumPy 2 is "np.int64(7)", not "7".
NUMPY_SCALARS = (
    np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float16, np.float32, np.float64,
)

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape(value: object) -> Markdown:
    r"""``value`` as Markdown that shows exactly its text, on one line.

    Examples
    --------
    >>> print(escape("<b>11 (16%)"))
    \<b\>11 \(16\%\)
    """
    return Markdown(_PUNCTUATION.sub(r"\\\1", " ".join(str(value).split())))


def setup() -> None:
    """Charts as offline HTML (`asps.render.setup`) and every inline ``str`` escaped once.

    Call once, in a chapter's first cell (``import asps; asps.setup()``).
    """
    from asps import render

    render.setup()
    try:
        from IPython import get_ipython
    except ImportError:  # not in a kernel: nothing displays
        return
    shell = get_ipython()
    if shell is None:
        return
    markdown = shell.display_formatter.formatters["text/markdown"]
    markdown.for_type(Markdown, str)  # looked up before str: already Markdown
    markdown.for_type(str, lambda value: str(escape(value)))
    # IPython stops at the first class in the MRO that defines __repr__, so each concrete type.
    plain = shell.display_formatter.formatters["text/plain"]
    for kind in NUMPY_SCALARS:
        plain.for_type(kind, lambda value, printer, cycle: printer.text(str(value.item())))
