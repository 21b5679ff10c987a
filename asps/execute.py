"""Execute the book's chapters the way Quarto's Jupyter engine does, without Quarto.

Each `.qmd` listed in `_quarto.yml` (``project.render``) is split into a notebook by Quarto's
rules, then run in a real Jupyter kernel (one per chapter, chapters in parallel). A chapter fails
on the first code cell that raises, on an inline `` `{python} expr` `` that does not evaluate, on a
``fig-`` cell without a Vega-Lite chart and on a ``tbl-`` cell without output. Errors name the
chapter, the cell label or `.qmd` line, and carry the kernel traceback.

Quarto's rules reproduced here (`src/core/jupyter/jupyter.ts`, `src/resources/jupyter/notebook.py`):

- a code cell opens on ```` ```{python ...} ```` (any indent, three or more backticks) and closes
  on a line with the same indent and the same number of backticks; other fences are prose;
- leading ``#| key: value`` lines are YAML cell options, stripped before execution; a cell runs
  only if its ``eval`` (default: the document's) is true, and may raise only with ``error: true``;
- inline expressions in prose are evaluated, as kernel ``user_expressions``, after the code cells
  before them;
- the kernel starts in the project root with ``execute-dir: project``, else in the chapter's
  folder.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import html
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import nbformat
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from asps.paths import ROOT
from asps.quarto_config import load_yaml, read_front_matter

__all__ = [
    "ChapterError",
    "ChapterResult",
    "InlineValue",
    "chapters",
    "execute_chapter",
    "export_html",
    "main",
    "qmd_to_notebook",
    "run_all",
]

KERNEL = "python3"
DEFAULT_TIMEOUT = 300  # seconds per cell

CELL_OPEN = re.compile(r"^(\s*)(```+)\s*\{python( *[ ,].*)?\}\s*$", re.IGNORECASE)
FENCE_OPEN = re.compile(r"^(\s*)(```+)")
OPTION_LINE = re.compile(r"^#\s*\| ?")
INLINE = re.compile(r"(?:^|[^`])`\{python\}[ \t]([^`]+)`", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
VEGA_LITE_MIME = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
VEGA_LITE_SCHEMA = re.compile(r'"\$schema"\s*:\s*"https://vega\.github\.io/schema/vega-lite/')
CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")


@dataclass(frozen=True)
class InlineValue:
    """An inline expression, the `.qmd` line it is on, and the text Quarto would insert."""

    line: int
    expression: str
    value: str


@dataclass
class ChapterResult:
    """An executed chapter."""

    path: Path
    notebook: NotebookNode
    seconds: float
    inline: list[InlineValue] = field(default_factory=list)


class ChapterError(Exception):
    """A chapter failed to execute.

    Parameters
    ----------
    chapter
        The `.qmd` file, relative to the project where possible.
    where
        The cell (``cell 'fig-km' (line 42)``), inline expression or line that failed.
    message
        What went wrong.
    traceback
        The kernel's traceback, without ANSI colours.
    """

    def __init__(self, chapter: str, where: str, message: str, traceback: str = "") -> None:
        self.chapter = chapter
        self.where = where
        self.message = message
        self.traceback = traceback
        self.seconds = 0.0  # time spent before failing, set by `run_all`
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.chapter}: {self.where}: {self.message}"
        return f"{text}\n{self.traceback}" if self.traceback else text


# --------------------------------------------------------------------------------------------
# Project settings


def _load_config(project_dir: Path) -> dict[str, Any]:
    config = load_yaml((project_dir / "_quarto.yml").read_text(encoding="utf-8"))
    return config if isinstance(config, dict) else {}


def chapters(project_dir: Path = ROOT) -> list[Path]:
    """The documents Quarto renders, in order: ``project.render`` of `_quarto.yml`.

    Parameters
    ----------
    project_dir
        Folder holding `_quarto.yml`.

    Returns
    -------
    list[Path]
        Absolute paths of the `.qmd` files (which may not exist yet).
    """
    project = _load_config(project_dir).get("project") or {}
    render = project.get("render") or []
    return [project_dir / entry for entry in render if str(entry).endswith(".qmd")]


def _execute_options(*sources: Any) -> dict[str, Any]:
    """`eval` and `error` defaults; later sources win, ``execute:`` beats a top-level key."""
    options = {"eval": True, "error": False}
    for source in sources:
        if not isinstance(source, dict):
            continue
        execute = source.get("execute") if isinstance(source.get("execute"), dict) else {}
        for key in options:
            if key in execute:
                options[key] = execute[key]
            elif key in source:
                options[key] = source[key]
    return options


def _working_dir(config: dict[str, Any], project_dir: Path, chapter: Path) -> Path:
    project = config.get("project") or {}
    return project_dir if project.get("execute-dir") == "project" else chapter.parent


# --------------------------------------------------------------------------------------------
# .qmd to notebook


def _cell_id(label: str | None, index: int, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "", re.sub(r"\s", "-", label or ""))[:60] or f"cell-{index}"
    cell_id, n = base, 1
    while cell_id in taken:
        n += 1
        cell_id = f"{base}-{n}"
    taken.add(cell_id)
    return cell_id


def _jsonable(value: Any) -> Any:
    # Cell options may hold YAML dates; notebook metadata must be JSON.
    return json.loads(json.dumps(value, default=str))


def qmd_to_notebook(path: Path) -> NotebookNode:
    """Split a `.qmd` into a notebook by Quarto's rules.

    Prose becomes markdown cells; each inline expression becomes its own code cell right after
    its prose, with ``metadata.quarto = {"inline": true, "line": n}``; each Python cell becomes a
    code cell without its ``#|`` option lines, with ``metadata.quarto = {"line", "code_line",
    "label", "options"}``. Lines are 1-based `.qmd` line numbers.

    Parameters
    ----------
    path
        The `.qmd` file.

    Returns
    -------
    NotebookNode
        An nbformat 4 notebook; the parsed front matter is in ``metadata.quarto.front_matter``.

    Raises
    ------
    ChapterError
        Invalid front matter or cell options, an unclosed cell, or a duplicate label.
    """
    text = path.read_text(encoding="utf-8")
    name = path.name
    lines = text.splitlines()
    front_matter: dict[str, Any] = {}
    body_start = 0
    found = read_front_matter(text)
    if found:
        source, first_line = found
        try:
            front_matter = load_yaml(source) or {}
        except yaml.YAMLError as error:
            raise ChapterError(name, "front matter", f"invalid YAML: {error}") from None
        body_start = first_line + source.count("\n")  # 0-based index of the first body line

    cells: list[NotebookNode] = []
    ids: set[str] = set()
    labels: dict[str, int] = {}
    prose: list[str] = []
    prose_start = body_start + 1

    def flush_prose(next_line: int) -> None:
        nonlocal prose, prose_start
        source = "\n".join(prose)
        if source.strip():
            cell = nbformat.v4.new_markdown_cell(source, id=_cell_id(None, len(cells), ids))
            cell.metadata["quarto"] = {"line": prose_start}
            cells.append(cell)
            for match in INLINE.finditer(source):
                line = prose_start + source[: match.start(1)].count("\n")
                expr = nbformat.v4.new_code_cell(match.group(1), id=_cell_id(None, len(cells), ids))
                expr.metadata["quarto"] = {"inline": True, "line": line}
                cells.append(expr)
        prose, prose_start = [], next_line

    fence: tuple[str, str] | None = None  # (indent, backticks) of an open block
    in_cell = False
    cell_lines: list[str] = []
    cell_line = 0
    for number, line in enumerate(lines[body_start:], start=body_start + 1):
        if fence is None:
            opened = CELL_OPEN.match(line)
            if opened:
                flush_prose(number)
                fence, in_cell, cell_lines, cell_line = (opened[1], opened[2]), True, [], number
                continue
            opened = FENCE_OPEN.match(line)
            if opened:
                fence = (opened[1], opened[2])
            prose.append(line)
            continue
        indent, ticks = fence
        closes = re.fullmatch(re.escape(indent) + ticks + r"\s*", line) is not None
        if not in_cell:
            prose.append(line)
            fence = None if closes else fence
        elif closes:
            cells.append(_code_cell(name, cell_lines, cell_line, len(cells), ids, labels))
            fence, in_cell = None, False
            prose_start = number + 1
        else:
            cell_lines.append(line.removeprefix(indent))
    if in_cell:
        raise ChapterError(name, f"cell at line {cell_line}", "code cell is never closed")
    flush_prose(len(lines) + 1)

    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": KERNEL,
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["quarto"] = {"source": str(path), "front_matter": _jsonable(front_matter)}
    return notebook


def _code_cell(
    chapter: str,
    lines: list[str],
    fence_line: int,
    index: int,
    ids: set[str],
    labels: dict[str, int],
) -> NotebookNode:
    option_lines = []
    for line in lines:
        found = OPTION_LINE.match(line)
        if not found:
            break
        # Quarto trims trailing blanks after a colon before parsing (poyo's quirk).
        option_lines.append(re.sub(r":\s+$", ":", line[found.end() :]))
    options: Any = {}
    if option_lines:
        try:
            options = yaml.safe_load("\n".join(option_lines)) or {}
        except yaml.YAMLError as error:
            where = f"cell at line {fence_line}"
            raise ChapterError(chapter, where, f"invalid cell options: {error}") from None
    if not isinstance(options, dict):
        raise ChapterError(chapter, f"cell at line {fence_line}", "cell options are not a mapping")
    label = options.get("label")
    label = str(label) if label is not None else None
    if label is not None:
        if label in labels:
            where = f"cell '{label}' (line {fence_line})"
            raise ChapterError(chapter, where, f"duplicate label (first at line {labels[label]})")
        labels[label] = fence_line
    source = "\n".join(lines[len(option_lines) :])
    cell = nbformat.v4.new_code_cell(source, id=_cell_id(label, index, ids))
    cell.metadata["quarto"] = {
        "line": fence_line,
        "code_line": fence_line + 1 + len(option_lines),
        "label": label,
        "options": _jsonable(options),
    }
    return cell


# --------------------------------------------------------------------------------------------
# Execution


def _where(cell: NotebookNode) -> str:
    meta = cell.metadata["quarto"]
    if meta.get("inline"):
        return f"inline expression `{cell.source}` (line {meta['line']})"
    if meta.get("label"):
        return f"cell '{meta['label']}' (line {meta['line']})"
    return f"cell at line {meta['line']}"


def _is_vega_lite(output: NotebookNode) -> bool:
    data = output.get("data") or {}
    if any(VEGA_LITE_MIME.match(mime) for mime in data):
        return True
    page = data.get("text/html", "")
    page = "".join(page) if isinstance(page, list) else page
    return "vegaEmbed(" in page and VEGA_LITE_SCHEMA.search(page) is not None


def _has_table(output: NotebookNode) -> bool:
    if output.output_type == "stream":
        return output.name == "stdout" and bool(output.text.strip())
    data = output.get("data") or {}
    return any(mime in data for mime in ("text/html", "text/markdown", "text/plain"))


def _inline_text(data: dict[str, Any]) -> str:
    for mime in ("text/markdown", "text/html"):
        if mime in data:
            return "".join(data[mime]) if isinstance(data[mime], list) else str(data[mime])
    plain = str(data.get("text/plain", ""))
    try:
        value = ast.literal_eval(plain)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return plain
    # A string's repr carries quotes that a reader should not see in the prose.
    return value if isinstance(value, str) else plain


class _Run:
    """One chapter's execution in its own kernel."""

    def __init__(
        self, path: Path, project_dir: Path, config: dict[str, Any], timeout: float
    ) -> None:
        self.path = path
        self.name = (
            path.relative_to(project_dir).as_posix()
            if path.is_relative_to(project_dir)
            else str(path)
        )
        try:
            self.notebook = qmd_to_notebook(path)
        except ChapterError as error:  # name the chapter as the report does
            raise ChapterError(self.name, error.where, error.message) from None
        front_matter = self.notebook.metadata["quarto"]["front_matter"]
        self.defaults = _execute_options(config, front_matter)
        self.cwd = _working_dir(config, project_dir, path)
        self.timeout = timeout
        self.inline: list[InlineValue] = []
        self.code_lines: dict[int, int] = {}  # kernel execution count -> first code line

    def fail(self, cell: NotebookNode, message: str, traceback: str = "") -> ChapterError:
        return ChapterError(self.name, _where(cell), message, traceback)

    async def run(self) -> ChapterResult:
        start = time.perf_counter()
        client = NotebookClient(
            self.notebook,
            kernel_name=KERNEL,
            timeout=self.timeout,
            allow_errors=True,  # errors are judged per cell below, as Quarto does
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(self.cwd)}},
        )
        # The kernel's own stderr is noise unless it dies; keep it for that case.
        with tempfile.TemporaryFile("w+") as stderr:
            try:
                async with client.async_setup_kernel(stderr=stderr):
                    for index, cell in enumerate(self.notebook.cells):
                        if cell.cell_type != "code":
                            continue
                        if cell.metadata["quarto"].get("inline"):
                            await self.evaluate_inline(client, cell)
                        else:
                            await self.execute_cell(client, cell, index)
            except DeadKernelError as error:
                stderr.seek(0)
                tail = "\n".join(stderr.read().splitlines()[-20:])
                raise ChapterError(self.name, "kernel", f"kernel died: {error}", tail) from None
        return ChapterResult(self.path, self.notebook, time.perf_counter() - start, self.inline)

    async def execute_cell(self, client: NotebookClient, cell: NotebookNode, index: int) -> None:
        options = cell.metadata["quarto"]["options"]
        # Quarto's test is `eval == True`: knitr's line-number lists do not run under Jupyter.
        if options.get("eval", self.defaults["eval"]) != True:  # noqa: E712
            return
        try:
            await client.async_execute_cell(cell, index)
        except CellTimeoutError:
            raise self.fail(cell, f"timed out after {self.timeout} s") from None
        if cell.get("execution_count"):
            self.code_lines[cell.execution_count] = cell.metadata["quarto"]["code_line"]
        allowed = options.get("error", False) or self.defaults["error"]
        for output in cell.outputs:
            if output.output_type == "error" and not allowed:
                traceback = ANSI.sub("", "\n".join(output.traceback))
                message = f"{output.ename}: {output.evalue}" + self.qmd_line(traceback)
                raise self.fail(cell, message, traceback)
        label = cell.metadata["quarto"]["label"] or ""
        if label.startswith("fig-") and not any(_is_vega_lite(o) for o in cell.outputs):
            raise self.fail(cell, "a fig- cell must output a Vega-Lite chart; it output none")
        if label.startswith("tbl-") and not any(_has_table(o) for o in cell.outputs):
            raise self.fail(cell, "a tbl- cell must output a table (HTML or text); it output none")

    def qmd_line(self, traceback: str) -> str:
        # Map the innermost chapter frame ("Cell In[3], line 5") back to the .qmd.
        for count, line in reversed(CELL_FRAME.findall(traceback)):
            if int(count) in self.code_lines:
                return f" (raised at line {self.code_lines[int(count)] + int(line) - 1})"
        return ""

    async def evaluate_inline(self, client: NotebookClient, cell: NotebookNode) -> None:
        assert client.kc is not None
        msg_id = client.kc.execute(
            "", silent=True, store_history=False, user_expressions={"value": cell.source}
        )
        try:
            reply = await client.async_wait_for_reply(msg_id, cell)
        except CellTimeoutError:
            reply = None
        if reply is None:
            raise self.fail(cell, f"timed out after {self.timeout} s")
        content = reply["content"]
        result = content.get("user_expressions", {}).get("value", content)
        if content.get("status") != "ok" or result.get("status") != "ok":
            message = f"{result.get('ename', 'Error')}: {result.get('evalue', '')}"
            traceback = ANSI.sub("", "\n".join(result.get("traceback") or [])).strip()
            raise self.fail(cell, message, "" if traceback == message else traceback)
        data = result.get("data", {})
        cell.outputs = [nbformat.v4.new_output("execute_result", data=data, execution_count=None)]
        line = cell.metadata["quarto"]["line"]
        self.inline.append(InlineValue(line, cell.source, _inline_text(data)))


def _run_sync(coroutine: Any) -> Any:
    try:
        asyncio.get_running_loop()
        running = True
    except RuntimeError:
        running = False
    if not running:
        return asyncio.run(coroutine)
    # Called from inside an event loop (e.g. a notebook): run on a fresh loop in a thread.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def execute_chapter(
    path: Path, project_dir: Path = ROOT, timeout: float = DEFAULT_TIMEOUT
) -> ChapterResult:
    """Execute one chapter in a fresh kernel, as Quarto would.

    Parameters
    ----------
    path
        The `.qmd` file.
    project_dir
        Folder holding `_quarto.yml` (for ``execute-dir`` and execute defaults).
    timeout
        Seconds allowed per cell.

    Returns
    -------
    ChapterResult
        The executed notebook, the time taken and the inline values.

    Raises
    ------
    ChapterError
        On the first failing cell or inline expression, or a missing chart or table.
    """
    config = _load_config(project_dir)
    return _run_sync(_Run(Path(path), project_dir, config, timeout).run())


async def _run_chapters(
    paths: Sequence[Path], project_dir: Path, jobs: int, timeout: float, out: TextIO
) -> list[ChapterResult | ChapterError]:
    config = _load_config(project_dir)
    gate = asyncio.Semaphore(jobs)

    async def one(path: Path) -> ChapterResult | ChapterError:
        if not path.exists():
            name = path.relative_to(project_dir).as_posix()
            return ChapterError(name, "file", "not found (it is listed in project.render)")
        async with gate:
            start = time.perf_counter()
            try:
                outcome: ChapterResult | ChapterError = await _Run(
                    path, project_dir, config, timeout
                ).run()
            except ChapterError as error:
                outcome = error
            except Exception as error:  # e.g. no such kernel: report it, run the other chapters
                name = path.relative_to(project_dir).as_posix()
                outcome = ChapterError(name, "kernel", f"{type(error).__name__}: {error}")
            if isinstance(outcome, ChapterError):
                outcome.seconds = time.perf_counter() - start
            return outcome

    tasks = [asyncio.create_task(one(path)) for path in paths]
    outcomes = []
    for path, task in zip(paths, tasks, strict=True):
        outcome = await task  # report in book order, each as soon as it is known
        name = path.relative_to(project_dir).as_posix()
        if isinstance(outcome, ChapterResult):
            code = [c for c in outcome.notebook.cells if c.cell_type == "code"]
            counts = f"{len(code) - len(outcome.inline)} cells, {len(outcome.inline)} inline"
            print(f"  ok    {name:<40} {outcome.seconds:6.1f} s  ({counts})", file=out)
        else:
            print(f"  FAIL  {name:<40} {outcome.seconds:6.1f} s", file=out)
            print("        " + str(outcome).replace("\n", "\n        "), file=out)
        out.flush()
        outcomes.append(outcome)
    return outcomes


def run_all(
    project_dir: Path = ROOT,
    out: TextIO | None = None,
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    html_dir: Path | None = None,
) -> int:
    """Execute every chapter, printing one line per chapter and a total.

    Parameters
    ----------
    project_dir
        Folder holding `_quarto.yml`.
    out
        Stream for the report (standard output by default).
    jobs
        Chapters run at once, one kernel each (default: number of CPUs).
    timeout
        Seconds allowed per cell.
    html_dir
        If given, also write each executed chapter there as a standalone HTML page.

    Returns
    -------
    int
        0 if every chapter ran cleanly, else 1.
    """
    out = out or sys.stdout
    paths = chapters(project_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    start = time.perf_counter()
    outcomes = _run_sync(_run_chapters(paths, project_dir, jobs, timeout, out))
    wall = time.perf_counter() - start
    results = [o for o in outcomes if isinstance(o, ChapterResult)]
    failed = len(outcomes) - len(results)
    if html_dir is not None:
        for result in results:
            relative = result.path.relative_to(project_dir).with_suffix(".html")
            export_html(result, html_dir / relative)
    kernel_time = sum(o.seconds for o in outcomes)
    print(
        f"{len(paths)} chapters: {len(results)} ok, {failed} failed; "
        f"{wall:.1f} s wall, {kernel_time:.1f} s in kernels, {jobs} at a time",
        file=out,
    )
    return 1 if failed else 0


# --------------------------------------------------------------------------------------------
# A standalone page, for looking at the results without Quarto


_VEGA_SCRIPTS = "".join(
    f'<script src="https://cdn.jsdelivr.net/npm/{lib}"></script>'
    for lib in ("vega@6", "vega-lite@6", "vega-embed@7")
)
_STYLE = """body{max-width:60rem;margin:2rem auto;padding:0 1rem;font-family:system-ui,sans-serif;
line-height:1.5}pre{background:#f6f8fa;padding:.5rem;overflow:auto}pre.error{background:#fdecea}
details{margin:.5rem 0}summary{cursor:pointer;color:#555}.output{margin:.5rem 0 1.5rem}"""


def _markdown(source: str) -> str:
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # not a declared dependency: fall back to plain text
        return f"<pre>{html.escape(source)}</pre>"
    return MarkdownIt("commonmark").enable("table").render(source)


def _output_html(output: NotebookNode, index: int) -> str:
    if output.output_type == "stream":
        return f"<pre>{html.escape(output.text)}</pre>"
    if output.output_type == "error":
        traceback = ANSI.sub("", "\n".join(output.traceback))
        return f'<pre class="error">{html.escape(traceback)}</pre>'
    data = output.get("data") or {}
    for mime, content in data.items():
        if VEGA_LITE_MIME.match(mime):
            spec = json.dumps(content)
            return f'<div id="vl-{index}"></div><script>vegaEmbed("#vl-{index}", {spec});</script>'
    if "text/html" in data:
        page = data["text/html"]
        return "".join(page) if isinstance(page, list) else page
    if "image/svg+xml" in data:
        return data["image/svg+xml"]
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return f'<img src="data:{mime};base64,{data[mime]}" alt="">'
    if "text/markdown" in data:
        return _markdown(data["text/markdown"])
    return f"<pre>{html.escape(str(data.get('text/plain', '')))}</pre>"


def _substitute_inline(source: str, values: list[str]) -> str:
    remaining = iter(values)

    def replace(found: re.Match[str]) -> str:
        text = found.group(0)
        prefix = text[: text.index("`{")]  # the character the pattern consumed before the span
        return prefix + next(remaining, text[len(prefix) :])

    return INLINE.sub(replace, source)


def export_html(result: ChapterResult, dest: Path) -> Path:
    """Write an executed chapter as a minimal standalone HTML page.

    Prose is rendered as CommonMark with inline values substituted (Quarto's cross-references,
    callouts and citations are left as written); code is folded; outputs are embedded as Quarto
    would (HTML as-is, Vega-Lite via vega-embed, images inline).

    Parameters
    ----------
    result
        From `execute_chapter`.
    dest
        The `.html` file to write (folders are created).

    Returns
    -------
    Path
        `dest`.
    """
    cells = result.notebook.cells
    parts: list[str] = []
    for index, cell in enumerate(cells):
        meta = cell.metadata.get("quarto", {})
        if cell.cell_type == "markdown":
            values = []
            for following in cells[index + 1 :]:
                if not following.metadata.get("quarto", {}).get("inline"):
                    break
                outputs = following.get("outputs") or []
                values.append(_inline_text(outputs[0].data) if outputs else following.source)
            parts.append(_markdown(_substitute_inline(cell.source, values)))
        elif not meta.get("inline"):
            code = html.escape(cell.source)
            parts.append(
                f"<details><summary>Code</summary><pre><code>{code}</code></pre></details>"
            )
            outputs = "".join(_output_html(o, i) for i, o in enumerate(cell.get("outputs", [])))
            parts.append(f'<div class="output" id="{html.escape(cell.id)}">{outputs}</div>')
    title = result.notebook.metadata.get("quarto", {}).get("front_matter", {}).get("title", "")
    title = html.escape(str(title or result.path.stem))
    # Altair's HTML output loads vega itself; bare Vega-Lite specs need the scripts here.
    needs_vega = any(
        VEGA_LITE_MIME.match(mime)
        for cell in cells
        for output in cell.get("outputs", [])
        for mime in output.get("data", {})
    )
    scripts = _VEGA_SCRIPTS if needs_vega else ""
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"{scripts}<style>{_STYLE}</style></head>\n<body><h1>{title}</h1>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(page, encoding="utf-8")
    return dest


# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Command line entry (`python -m asps execute`).

    Parameters
    ----------
    argv
        Arguments after the command name; see ``--help``.
    out
        Stream for the report (standard output by default).

    Returns
    -------
    int
        0 if every chapter ran cleanly, else 1.
    """
    parser = argparse.ArgumentParser(prog="asps execute", description=__doc__.split("\n")[0])
    parser.add_argument("project", nargs="?", type=Path, default=ROOT, help="project folder")
    parser.add_argument("--jobs", "-j", type=int, help="chapters at once (default: CPUs)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per cell")
    parser.add_argument("--html", type=Path, help="also write each chapter as HTML here")
    args = parser.parse_args(argv)
    return run_all(
        args.project.resolve(), out, jobs=args.jobs, timeout=args.timeout, html_dir=args.html
    )


if __name__ == "__main__":
    raise SystemExit(main())
