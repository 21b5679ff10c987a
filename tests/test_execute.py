"""Chapters execute by Quarto's rules, and failures name the chapter, the cell and the line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from asps.execute import (
    ChapterError,
    ChapterResult,
    chapters,
    execute_chapter,
    export_html,
    qmd_to_notebook,
    run_all,
)
from asps.paths import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "execute"
GOOD = FIXTURES / "good"
FAILING = FIXTURES / "failing"


def _code_cells(path: Path) -> list:
    notebook = qmd_to_notebook(path)
    return [
        c
        for c in notebook.cells
        if c.cell_type == "code" and not c.metadata["quarto"].get("inline")
    ]


def _inline_cells(path: Path) -> list:
    return [c for c in qmd_to_notebook(path).cells if c.metadata["quarto"].get("inline")]


@pytest.fixture(scope="module")
def parsing() -> ChapterResult:
    return execute_chapter(GOOD / "parsing.qmd", GOOD)


@pytest.fixture(scope="module")
def failing() -> tuple[int, str]:
    out = io.StringIO()
    code = run_all(FAILING, out)
    return code, out.getvalue()


# -- from .qmd to notebook (no kernel)


def test_chapters_follow_project_render_in_order() -> None:
    assert chapters(GOOD) == [GOOD / "parsing.qmd", GOOD / "sub" / "workdir.qmd"]


def test_option_lines_are_stripped_and_kept_as_metadata() -> None:
    setup = _code_cells(GOOD / "parsing.qmd")[0]
    assert setup.source == 'x = 1\nevents = ["setup"]'
    assert setup.metadata["quarto"] == {
        "line": 9,
        "code_line": 12,
        "label": "setup",
        "options": {"label": "setup", "echo": True},
    }
    assert setup.id == "setup"


def test_which_fences_are_code_cells() -> None:
    sources = [c.source for c in _code_cells(GOOD / "parsing.qmd")]
    assert 'events.append("brace options")' in sources  # {python echo=false}
    assert 'events.append("indented")' in sources  # indented fence in a list item
    four = next(s for s in sources if s.startswith("fence ="))
    assert "```\nnot the end of the cell\n```" in four  # a 4-backtick cell holds ``` lines
    assert not any("stop(" in s for s in sources)  # {r}
    assert not any("without braces" in s for s in sources)  # ```python


def test_inline_expressions_only_in_prose() -> None:
    inline = [(c.source, c.metadata["quarto"]["line"]) for c in _inline_cells(GOOD / "parsing.qmd")]
    assert inline == [
        ("x", 16),
        ("x", 56),
        ('", ".join(events)', 56),
        ("('multi-line'\n+ ' expression')", 57),
    ]  # nothing from the front matter, the code cell string or ``verbatim`` code


def test_an_unclosed_cell_is_an_error(tmp_path: Path) -> None:
    chapter = tmp_path / "open.qmd"
    chapter.write_text("Prose.\n\n```{python}\nx = 1\n")
    with pytest.raises(ChapterError, match=r"open.qmd: cell at line 3: code cell is never closed"):
        qmd_to_notebook(chapter)


def test_duplicate_labels_are_an_error(tmp_path: Path) -> None:
    chapter = tmp_path / "twice.qmd"
    cell = "```{python}\n#| label: fig-a\n1\n```\n\n"
    chapter.write_text(cell + cell)
    with pytest.raises(ChapterError, match=r"cell 'fig-a' \(line 6\): duplicate label"):
        qmd_to_notebook(chapter)


# -- execution


def test_inline_values_interleave_with_cells(parsing: ChapterResult) -> None:
    values = [(v.line, v.value) for v in parsing.inline]
    assert values == [
        (16, "1"),  # before `x = 2`
        (56, "2"),
        (56, "setup, brace options, four backticks, indented"),  # eval: false never ran
        (57, "multi-line expression"),
    ]


def test_charts_tables_and_allowed_errors(parsing: ChapterResult) -> None:
    by_id = {c.id: c for c in parsing.notebook.cells}
    html = by_id["fig-chart"].outputs[0].data["text/html"]
    assert "vegaEmbed(" in html and "vega-lite" in html
    assert "text/html" in by_id["tbl-frame"].outputs[0].data
    allowed = next(c for c in parsing.notebook.cells if "error: true" in c.source)
    assert allowed.outputs[0].output_type == "error"  # `error: true` lets the chapter go on


def test_eval_false_cell_is_not_run(parsing: ChapterResult) -> None:
    skipped = next(c for c in parsing.notebook.cells if "eval: false cells" in c.source)
    assert skipped.metadata["quarto"]["options"] == {"eval": False}
    assert skipped.outputs == [] and skipped.execution_count is None


@pytest.mark.parametrize(
    ("project", "expected"), [(GOOD, GOOD), (FIXTURES / "filedir", FIXTURES / "filedir" / "sub")]
)
def test_execute_dir_is_respected(project: Path, expected: Path) -> None:
    result = execute_chapter(project / "sub" / "workdir.qmd", project)
    assert Path(result.inline[0].value).resolve() == expected.resolve()


# -- failures


def test_failing_project_reports_every_chapter(failing: tuple[int, str]) -> None:
    code, report = failing
    assert code == 1
    assert report.count("  FAIL  ") == 6
    assert "missing.qmd: file: not found (it is listed in project.render)" in report
    assert report.rstrip().splitlines()[-1].startswith("6 chapters: 0 ok, 6 failed;")


def test_a_raising_cell_names_chapter_label_line_and_traceback(failing: tuple[int, str]) -> None:
    report = failing[1]
    assert (
        "cell-error.qmd: cell 'load-data' (line 10): KeyError: 'missing-key' (raised at line 7)"
        in report
    )
    assert "Cell In[" in report and "\x1b[" not in report  # traceback, without colours


def test_an_unlabelled_cell_is_named_by_line() -> None:
    with pytest.raises(ChapterError) as caught:
        execute_chapter(FAILING / "unlabelled-error.qmd", FAILING)
    error = caught.value
    assert error.chapter == "unlabelled-error.qmd"
    assert error.where == "cell at line 7"
    assert error.message.startswith("ValueError: math domain error")
    assert "math.sqrt(-1)" in error.traceback


def test_a_failing_inline_expression_names_its_line(failing: tuple[int, str]) -> None:
    assert (
        "inline-error.qmd: inline expression `undefined_count` (line 10): "
        "NameError: name 'undefined_count' is not defined"
    ) in failing[1]


def test_fig_cell_without_chart_and_tbl_cell_without_output_fail(failing: tuple[int, str]) -> None:
    report = failing[1]
    assert "fig-without-chart.qmd: cell 'fig-nothing' (line 5): a fig- cell must output" in report
    assert "tbl-without-output.qmd: cell 'tbl-nothing' (line 5): a tbl- cell must output" in report


# -- output


def test_export_html_substitutes_inline_values(parsing: ChapterResult, tmp_path: Path) -> None:
    page = export_html(parsing, tmp_path / "out" / "parsing.html").read_text()
    assert "Before the redefinition x is 1." in page
    assert "After it x is 2," in page
    assert "vegaEmbed(" in page and "<title>Parsing fixture</title>" in page


def test_run_all_on_good_project(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_all(GOOD, out, html_dir=tmp_path) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  ok    parsing.qmd") and lines[1].startswith("  ok    sub/workdir")
    assert lines[-1].startswith("2 chapters: 2 ok, 0 failed;")
    assert (tmp_path / "sub" / "workdir.html").exists()


# -- the real book


def test_real_chapters_execute() -> None:
    missing = [p.relative_to(ROOT).as_posix() for p in chapters(ROOT) if not p.exists()]
    if missing:
        pytest.skip(f"chapters not written yet: {', '.join(missing)}")
    out = io.StringIO()
    code = run_all(ROOT, out)
    assert code == 0, out.getvalue()
