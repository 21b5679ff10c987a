"""`_quarto.yml` and front matter are checked against Quarto's own schema, as Quarto would."""

from __future__ import annotations

import copy
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from asps.paths import ROOT
from asps.quarto_config import (
    ENV_VAR,
    NODE_KEYS,
    SCHEMA_FILE,
    QuartoSchema,
    check_project,
    iter_schema_nodes,
    load_yaml,
    main,
    read_front_matter,
    report,
    schema_dir,
)

VALID = Path(__file__).parent / "fixtures" / "quarto" / "valid"


@pytest.fixture(scope="module")
def schema() -> QuartoSchema:
    folder = schema_dir()
    if not (folder / SCHEMA_FILE).is_file():
        pytest.skip(f"Quarto's schema is not at {folder} (set {ENV_VAR})")
    return QuartoSchema.load(folder)


@pytest.fixture
def config() -> dict[str, Any]:
    return load_yaml((VALID / "_quarto.yml").read_text())


def _errors(schema: QuartoSchema, value: Any, schema_id: str = "project-config") -> list[str]:
    return [str(issue).removeprefix(": ") for issue in schema.validate(value, schema_id)]


# -- the real project


def test_real_quarto_yml_passes(schema: QuartoSchema) -> None:
    value = load_yaml((ROOT / "_quarto.yml").read_text())
    assert _errors(schema, value) == []


def _real_documents() -> list[str]:
    project = yaml.safe_load((ROOT / "_quarto.yml").read_text())["project"]
    return list(project["render"])


@pytest.mark.parametrize("document", _real_documents())
def test_real_front_matter_passes(schema: QuartoSchema, document: str) -> None:
    path = ROOT / document
    if not path.exists():
        pytest.skip(f"{document} not written yet")
    found = read_front_matter(path.read_text())
    assert found is not None, f"{document} has no front matter"
    assert _errors(schema, load_yaml(found[0]), "front-matter") == []


# -- what fails and what passes

Mutation = Callable[[dict[str, Any]], None]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda c: c["book"].update(serch=True),
            "book.serch: unknown key (did you mean 'search'?) (allowed: DOI, ISBN",
            id="misspelt key in book (closed)",
        ),
        pytest.param(
            lambda c: c["project"].update({"outptu-dir": "_site"}),
            "project.outptu-dir: unknown key (did you mean 'output-dir'?)",
            id="misspelt key in project (closed)",
        ),
        pytest.param(
            lambda c: c["format"]["html"].update({"toc-dept": 2}),
            "format.html.toc-dept: unknown key (Quarto ignores it here, so it is probably a typo) "
            "(did you mean 'toc-depth'?)",
            id="misspelt key in format html",
        ),
        pytest.param(
            lambda c: c["book"]["sidebar"].update(stlye="docked"),
            "book.sidebar.stlye: unknown key (Quarto ignores it here",
            id="misspelt key in book sidebar",
        ),
        pytest.param(
            lambda c: c["format"]["html"].update(code_fold=True),
            "format.html.code_fold: unknown key (Quarto ignores it here, so it is probably a typo) "
            "(did you mean 'code-fold'?)",
            id="wrong case convention",
        ),
        pytest.param(
            lambda c: c["format"].update(htm={"toc": True}),
            "format.htm: unknown key (did you mean 'html'",
            id="unknown output format",
        ),
        pytest.param(
            lambda c: c["book"].update(search="yes-please"),
            'book.search: string "yes-please" must be one of: `true` or `false`; an object',
            id="string where boolean or object expected",
        ),
        pytest.param(
            lambda c: c["format"]["html"].update(toc=3),
            "format.html.toc: number 3 must be `true` or `false`",
            id="number where boolean expected",
        ),
        pytest.param(
            lambda c: c["book"]["sidebar"].update(style="dockd"),
            'book.sidebar.style: "dockd" must be one of: `docked`, `floating`',
            id="enum violation",
        ),
        pytest.param(
            lambda c: c["project"].update({"execute-dir": "root"}),
            'project.execute-dir: "root" must be one of: `file`, `project`',
            id="enum violation in project",
        ),
        pytest.param(
            lambda c: c["book"].update({"repo-actions": ["edit", "fork"]}),
            'book.repo-actions[1]: "fork" must be one of: `none`, `edit`, `source`, `issue`',
            id="enum violation in a list",
        ),
        pytest.param(
            lambda c: c["execute"].update(freeze="sometimes"),
            'execute.freeze: string "sometimes" must be one of: `true` or `false`; `auto`',
            id="wrong execute value",
        ),
    ],
)
def test_invalid_config_fails(
    schema: QuartoSchema, config: dict[str, Any], mutate: Mutation, expected: str
) -> None:
    mutate(config)
    errors = _errors(schema, config)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_valid_fixture_and_unknown_top_level_key_pass(
    schema: QuartoSchema, config: dict[str, Any]
) -> None:
    assert _errors(schema, config) == []
    config["asps-custom-metadata"] = {"anything": [1, "two"]}  # Quarto's top level is open
    assert _errors(schema, config) == []


def test_lenient_mode_is_exactly_quarto(schema: QuartoSchema, config: dict[str, Any]) -> None:
    typo = copy.deepcopy(config)
    typo["format"]["html"]["toc-dept"] = 2  # open object: Quarto itself lets this through
    assert schema.validate(typo, "project-config", strict=False) == []
    config["book"]["serch"] = True  # closed object: Quarto rejects it too
    assert len(schema.validate(config, "project-config", strict=False)) == 1


def test_front_matter_checks(schema: QuartoSchema) -> None:
    assert _errors(schema, None, "front-matter") == []  # empty front matter
    assert _errors(schema, {"title": "T", "date": "2024-05-01"}, "front-matter") == []
    assert _errors(schema, {"toc": "yes"}, "front-matter") == [
        'toc: string "yes" must be `true` or `false`'
    ]
    assert _errors(schema, {"format": "htm"}, "front-matter") == [
        'format: "htm" is not a valid output format.'  # Quarto's own message for this node
    ]


# -- whole projects and the command line


def _project(tmp_path: Path, front_matter: str | None = None) -> Path:
    shutil.copytree(VALID, tmp_path / "book")
    if front_matter is not None:
        (tmp_path / "book" / "index.qmd").write_text(f"---\n{front_matter}---\n\nProse.\n")
    return tmp_path / "book"


def test_check_project_reads_config_and_chapters(tmp_path: Path) -> None:
    result = check_project(_project(tmp_path), strict=True)
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.ok and result.checked == ["_quarto.yml", "index.qmd"]


def test_check_project_reports_file_and_yaml_errors(tmp_path: Path) -> None:
    project = _project(tmp_path, 'title: "T"\ntoc: 3\nformat:\n  html:\n    toc: yes\n')
    result = check_project(project)
    if result.skipped:
        pytest.skip(result.skipped)
    assert [str(i) for i in result.issues] == [
        "index.qmd: toc: number 3 must be `true` or `false`",
        'index.qmd: format.html.toc: string "yes" must be `true` or `false`',
    ]
    (project / "index.qmd").write_text("---\ntitle: a\ntitle: b\n---\n")
    assert "duplicated mapping key 'title'" in str(check_project(project).issues[0])


def test_metadata_files_are_checked_as_project_config(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = (project / "_quarto.yml").read_text()
    (project / "_quarto.yml").write_text(config + "metadata-files:\n  - generated.yml\n")
    assert check_project(project).ok  # a metadata file not generated yet is not an error
    (project / "generated.yml").write_text("book:\n  page-fotter: x\n")
    result = check_project(project)
    if result.skipped:
        pytest.skip(result.skipped)
    assert [i.file for i in result.issues] == ["generated.yml"]
    assert result.issues[0].where == "book.page-fotter"
    assert "did you mean 'page-footer'?" in result.issues[0].message


def test_main_prints_errors_and_returns_1(tmp_path: Path) -> None:
    project = _project(tmp_path, "toc: 3\n")
    out = io.StringIO()
    code = main([str(project)], out)
    if "skipped" in out.getvalue():
        pytest.skip(out.getvalue())
    assert code == 1
    assert out.getvalue().splitlines() == [
        "index.qmd: toc: number 3 must be `true` or `false`",
        "1 error(s): 2 file(s) checked with Quarto's schema",
    ]
    assert report(project, io.StringIO(), strict=False) == 1  # what `python -m asps` calls


def test_fallback_without_schema_or_quarto_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-folder"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto binary there
    result = check_project(_project(tmp_path))
    assert result.method == "skipped" and result.ok
    assert result.skipped == (
        f"no {SCHEMA_FILE} in {tmp_path / 'no-such-folder'}, and no quarto binary on PATH"
    )
    out = io.StringIO()
    assert main([str(tmp_path / "book")], out) == 0
    assert out.getvalue().startswith("skipped: no all-schema-definitions.json in ")
    assert main([str(tmp_path / "book"), "--require"], io.StringIO()) == 1


@pytest.mark.quarto
@pytest.mark.skipif(shutil.which("quarto") is None, reason="needs the quarto binary on PATH")
def test_fallback_runs_quarto_inspect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-folder"))
    project = _project(tmp_path)
    assert check_project(project).method == "quarto"
    text = (project / "_quarto.yml").read_text().replace("style: docked", "style: dockd")
    (project / "_quarto.yml").write_text(text)
    assert not check_project(project).ok


# -- the validator knows Quarto's whole format


def test_validator_covers_every_key_and_type_in_the_schema(schema: QuartoSchema) -> None:
    keys: set[str] = set()
    types: set[str] = set()
    for definition in schema.definitions.values():
        for node in iter_schema_nodes(definition):
            keys |= set(node)
            types.add(node["type"])
    assert keys <= NODE_KEYS, f"new schema keys to implement: {keys - NODE_KEYS}"
    handled = {"ref", "anyOf", "allOf", "object", "array", "enum", "any"}
    handled |= {"string", "boolean", "number", "null"}
    assert types <= handled, f"new schema types to implement: {types - handled}"


def test_yaml_is_read_as_quarto_reads_it() -> None:
    value = load_yaml("a: yes\nb: 2024-05-01\nc: True\nd: ~\ne: 0x1F\nf: 1.5e3\ng: !expr x + 1\n")
    assert value == {"a": "yes", "b": "2024-05-01", "c": True, "d": None, "e": 31, "f": 1500.0,
                     "g": "x + 1"}  # fmt: skip
    with pytest.raises(yaml.YAMLError, match="duplicated mapping key"):
        load_yaml("a: 1\na: 2\n")
    assert json.dumps(load_yaml("n: 1_000\n")) == '{"n": 1000}'


def test_front_matter_is_found_with_its_line() -> None:
    assert read_front_matter("---\ntitle: T\n---\nbody") == ("title: T\n", 2)
    assert read_front_matter("\n---\n---\n") == ("", 3)
    assert read_front_matter("no front matter\n---\nx: 1\n---\n") is None
