"""The project's own files: citation, CI workflow, Makefile, pins, and the no-Quarto failure path.

Every expected value is read from the project's files (the Makefile's QUARTO_VERSION, the founding
series in data/series.csv, pyproject.toml's dependencies), so a change on one side that the other
does not follow makes a test fail.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from asps.paths import ROOT
from asps.site import QUARTO_MISSING

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
CITATION = ROOT / "CITATION.cff"
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
MAKEFILE = ROOT / "Makefile"
CONSTRAINTS = ROOT / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"
CI_RUN = ROOT / ".ci" / "run"
QUARTO_SETUP = "quarto-dev/quarto-actions/setup"
DOCUMENTED_TARGETS = ("render", "test", "preview", "validate", "bench", "clean")


# -- helpers


def _check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    if not CHECK_JSONSCHEMA.exists():
        pytest.fail(f"check-jsonschema is not installed next to {sys.executable}")
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _makefile_variable(name: str) -> str:
    match = re.search(rf"^{name}\s*[:?]?=\s*(\S+)\s*$", MAKEFILE.read_text(), re.MULTILINE)
    assert match, f"{name} is not set in the Makefile"
    return match.group(1)


def _documented_targets() -> dict[str, str]:
    """``target: ... ## description`` lines of the Makefile, as `make help` reads them."""
    found = re.findall(r"^([a-z_.-]+):[^\n]*?## (.*)$", MAKEFILE.read_text(), re.MULTILINE)
    return {target: description.strip() for target, description in found}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _load_workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), "the workflow's `on:` must be a mapping"
    return triggers


def _build_job(workflow: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The job that runs the tests."""
    for name, job in workflow["jobs"].items():
        if any(_runs(step, "make test") for step in job.get("steps", [])):
            return name, job
    pytest.fail("no job of the workflow runs `make test`")


def _runs(step: dict[str, Any], command: str) -> bool:
    """Whether the step's `run:` script has `command` as a command of its own."""
    pattern = rf"^\s*{re.escape(command)}(\s|$)"
    return re.search(pattern, step.get("run", ""), re.MULTILINE) is not None


def _uses(step: dict[str, Any], action: str) -> bool:
    """Whether the step uses ``action`` (``owner/repo[/path]``) at some version."""
    return str(step.get("uses", "")).startswith(action + "@")


def _step_index(steps: list[dict[str, Any]], matches: Callable[[dict[str, Any]], bool]) -> int:
    indices = [i for i, step in enumerate(steps) if matches(step)]
    assert len(indices) == 1, f"expected exactly one matching step, found {len(indices)}"
    return indices[0]


# -- CITATION.cff


def test_citation_validates() -> None:
    result = _check_jsonschema("vendor.citation-file-format", CITATION)
    assert result.returncode == 0, result.stdout + result.stderr


def _drop_cff_version(cff: dict[str, Any]) -> None:
    del cff["cff-version"]


def _drop_reference_title(cff: dict[str, Any]) -> None:
    del cff["references"][0]["title"]


def _unknown_licence(cff: dict[str, Any]) -> None:
    cff["license"] = "not-a-licence"


@pytest.mark.parametrize(
    ("mutate", "valid"),
    [
        (lambda cff: None, True),  # control: a copy written back unchanged still validates
        (_drop_cff_version, False),
        (_drop_reference_title, False),
        (_unknown_licence, False),
    ],
    ids=["unchanged", "no-cff-version", "reference-without-title", "unknown-licence"],
)
def test_broken_citation_fails(tmp_path: Path, mutate: Callable, valid: bool) -> None:
    cff = copy.deepcopy(yaml.safe_load(CITATION.read_text()))
    mutate(cff)
    copy_path = tmp_path / "CITATION.cff"
    copy_path.write_text(yaml.safe_dump(cff, sort_keys=False))
    result = _check_jsonschema("vendor.citation-file-format", copy_path)
    assert (result.returncode == 0) is valid, result.stdout + result.stderr


def test_citation_matches_the_site_and_the_founding_series() -> None:
    cff = yaml.safe_load(CITATION.read_text())
    book = yaml.safe_load((ROOT / "_quarto.yml").read_text())["book"]
    assert cff["repository-code"] == book["repo-url"]
    assert cff["title"] == book["title"]
    assert any(author.get("name") == book["author"][0]["name"] for author in cff["authors"])

    with (ROOT / "data" / "series.csv").open(newline="", encoding="utf-8") as handle:
        founding = [row for row in csv.DictReader(handle) if row["founding"] == "true"]
    assert len(founding) == 1, "data/series.csv must mark exactly one founding series"
    doi = founding[0]["doi"]
    cited = [ref for ref in cff.get("references", []) if str(ref.get("doi")) == doi]
    assert len(cited) == 1, f"CITATION.cff does not cite the founding series (doi {doi})"
    assert cited[0]["type"] == "article"
    assert cited[0]["year"] == int(founding[0]["year"])

    # The same paper in the bibliography: title and authors agree.
    entries = [
        entry
        for bib in sorted((ROOT / "references").glob("*.bib"))
        for entry in re.split(r"\n(?=@)", bib.read_text(encoding="utf-8"))
        if re.search(rf"doi\s*=\s*\{{{re.escape(doi)}\}}", entry, re.IGNORECASE)
    ]
    assert entries, f"no entry with doi {doi} in references/*.bib"
    for entry in entries:
        title = re.search(r"^\s*title\s*=\s*\{(.*)\},?\s*$", entry, re.MULTILINE)
        authors = re.search(r"^\s*author\s*=\s*\{(.*)\},?\s*$", entry, re.MULTILINE)
        assert title and authors, entry
        bib_title = title.group(1).replace("{", "").replace("}", "")
        assert cited[0]["title"].casefold() == bib_title.casefold(), entry
        bib_families = [name.split(",")[0].strip() for name in authors.group(1).split(" and ")]
        assert [author["family-names"] for author in cited[0]["authors"]] == bib_families, entry


# -- the publish workflow


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def test_every_workflow_is_checked() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"publish.yml", "surveil.yml"} <= names, names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_validates(workflow: Path) -> None:
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        result = _check_jsonschema(schema, workflow)
        assert result.returncode == 0, f"{workflow.name}: {schema}: {result.stdout}{result.stderr}"


@pytest.mark.parametrize(
    "break_it",
    [
        lambda wf: wf.pop("jobs"),
        lambda wf: wf["jobs"]["build"]["steps"][0].update({"uses": 42}),
        lambda wf: wf["jobs"]["build"].update({"runs-on": None, "needs": {"a": 1}}),
    ],
    ids=["no-jobs", "uses-not-a-string", "bad-runs-on-and-needs"],
)
def test_broken_workflow_fails(tmp_path: Path, break_it: Callable) -> None:
    workflow = _load_workflow()
    assert "build" in workflow["jobs"], "these mutations expect a job named build"
    break_it(workflow)
    copy_path = tmp_path / "publish.yml"
    copy_path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = _check_jsonschema("vendor.github-workflows", copy_path)
    assert result.returncode != 0, result.stdout


def test_workflow_triggers_and_permissions() -> None:
    workflow = _load_workflow()
    triggers = _triggers(workflow)
    assert "main" in triggers["push"]["branches"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["permissions"].get("contents", "read") == "read"
    assert workflow["concurrency"]["group"] == "pages"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_workflow_builds_in_order_with_the_makefiles_quarto() -> None:
    workflow = _load_workflow()
    _, job = _build_job(workflow)
    steps = job["steps"]

    checkout = steps[_step_index(steps, lambda s: _uses(s, "actions/checkout"))]
    assert checkout["with"]["fetch-depth"] == 0

    python = steps[_step_index(steps, lambda s: _uses(s, "actions/setup-python"))]
    requires = tomllib.loads(PYPROJECT.read_text())["project"]["requires-python"]
    assert f">={python['with']['python-version']}" in requires
    assert python["with"]["cache"] == "pip"
    assert {"constraints.txt", "pyproject.toml"} <= set(
        python["with"]["cache-dependency-path"].split()
    )

    quarto = _step_index(steps, lambda s: _uses(s, QUARTO_SETUP))
    assert str(steps[quarto]["with"]["version"]) == _makefile_variable("QUARTO_VERSION")
    test = _step_index(steps, lambda s: _runs(s, "make test"))
    render = _step_index(steps, lambda s: _runs(s, "make render"))
    upload = _step_index(steps, lambda s: _uses(s, "actions/upload-pages-artifact"))
    assert quarto < test < render < upload
    output_dir = yaml.safe_load((ROOT / "_quarto.yml").read_text())["project"]["output-dir"]
    assert steps[upload]["with"]["path"].strip("/") == output_dir.strip("/")


def test_workflow_deploys_only_after_the_build() -> None:
    workflow = _load_workflow()
    build_name, _ = _build_job(workflow)
    deploys = [
        (name, job)
        for name, job in workflow["jobs"].items()
        if any(_uses(s, "actions/deploy-pages") for s in job.get("steps", []))
    ]
    assert len(deploys) == 1
    name, deploy = deploys[0]
    assert name != build_name
    needs = deploy["needs"]
    assert build_name in ([needs] if isinstance(needs, str) else needs)
    assert deploy["environment"]["name"] == "github-pages"
    step_id = next(s["id"] for s in deploy["steps"] if _uses(s, "actions/deploy-pages"))
    assert f"steps.{step_id}.outputs.page_url" in deploy["environment"]["url"]


def test_pyproject_render_extra_pins_the_makefiles_quarto() -> None:
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    pins = {
        Requirement(spec).name: str(Requirement(spec).specifier)
        for spec in extras.get("render", [])
    }
    assert pins.get("quarto-cli") == "==" + _makefile_variable("QUARTO_VERSION")


# -- Makefile


def test_makefile_documents_its_targets() -> None:
    documented = _documented_targets()
    missing = [target for target in DOCUMENTED_TARGETS if not documented.get(target)]
    assert not missing, f"targets without a `## description`: {missing}"


def test_make_help_lists_the_targets() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    out = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    ).stdout
    listed = dict(re.findall(r"^\s*make (\S+)\s+(.*?)\s*$", out, re.MULTILINE))
    for target, description in _documented_targets().items():
        assert listed.get(target) == description, f"`make help` does not list {target}"
    for target in DOCUMENTED_TARGETS:
        dry = subprocess.run(
            ["make", "--no-print-directory", "-n", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert dry.returncode == 0, f"make -n {target}: {dry.stderr}"


def test_make_render_installs_the_pinned_quarto() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", "render"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=env, check=True,
    ).stdout
    version = _makefile_variable("QUARTO_VERSION")
    assert f"find-quarto --install {version}" in dry, dry
    # Validation comes first: nothing renders from invalid data.
    assert dry.index("asps validate") < dry.index("find-quarto")


# -- constraints.txt


def _constraint_lines() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in CONSTRAINTS.read_text().splitlines())
    return [line for line in lines if line]


def test_constraints_pin_every_line_exactly() -> None:
    lines = _constraint_lines()
    assert lines, "constraints.txt is empty"
    loose = [
        line
        for line in lines
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[^\s=<>!~,;]+", line)
    ]
    assert not loose, f"not pinned with ==: {loose}"
    names = [_normalise(line.split("==")[0]) for line in lines]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"pinned more than once: {duplicates}"


def test_constraints_cover_every_dependency() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    pinned = {_normalise(line.split("==")[0]) for line in _constraint_lines()}
    requirements = [Requirement(spec) for spec in specs]
    assert requirements, "pyproject.toml names no dependencies"
    # A dependency pinned with == in pyproject.toml itself (quarto-cli) needs no constraint.
    unpinned = [
        req.name
        for req in requirements
        if _normalise(req.name) not in pinned
        and not any(spec.operator == "==" for spec in req.specifier)
    ]
    assert not unpinned, f"in pyproject.toml but not pinned in constraints.txt: {unpinned}"


# -- make render without Quarto


def test_find_quarto_fails_with_advice_when_quarto_cannot_be_installed(tmp_path: Path) -> None:
    venv_quarto = Path(sys.executable).parent / "quarto"
    if venv_quarto.exists():
        pytest.skip(f"quarto-cli is installed in the venv ({venv_quarto}): nothing to strip")
    version = _makefile_variable("QUARTO_VERSION")
    # PATH without any directory holding a quarto; pip with no index, an empty find-links folder
    # and no config file, so that `pip install quarto-cli` fails at once and offline.
    path = os.pathsep.join(
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and not (Path(folder) / "quarto").exists()
    )
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
        "PATH": path,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(empty),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INPUT": "1",
        "ASPS_SHARED_DIR": str(tmp_path / "no-shared"),
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "TMPDIR": str(tmp_path),
    }
    assert shutil.which("quarto", path=path) is None
    done = subprocess.run(
        [sys.executable, "-m", "asps", "find-quarto", "--install", version],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    # make takes stdout as the binary's path, so on failure nothing may reach it.
    assert done.stdout == ""
    assert "Traceback" not in output
    assert "Quarto" in done.stderr
    assert f"quarto-cli=={version}" in done.stderr
    # Both remedies of the message, as the package words them, reach the user.
    remedies = [
        line.strip().format(version=version)
        for line in QUARTO_MISSING.splitlines()
        if re.match(r"\s*\d\.\s", line)
    ]
    assert len(remedies) >= 2
    for remedy in remedies:
        assert remedy in done.stderr
    assert not venv_quarto.exists(), "the failed install must not leave a quarto in the venv"


# -- .ci/run


def test_ci_run_is_valid_bash_and_runs_make_test() -> None:
    text = CI_RUN.read_text()
    # CI calls `bash .ci/run`, so the executable bit does not matter; the shebang still names bash.
    assert text.startswith("#!/usr/bin/env bash\n") or text.startswith("#!/bin/bash\n")
    # Code only: comments and quoted strings (headers, messages) removed.
    commands = [
        re.sub(r"\"[^\"]*\"|'[^']*'", '""', line).split(" #", 1)[0]
        for line in text.splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert any(line.strip() == "set -euo pipefail" for line in commands)
    assert any(re.search(r"(^|[\s!;&|(])make test(\s|$|;)", line) for line in commands)
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not any("github" in line.lower() for line in code), "CI must not download from GitHub"
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    syntax = subprocess.run(["bash", "-n", str(CI_RUN)], capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr


# --- the site's own scripts ---------------------------------------------------------------------

ESLINT = ROOT / "node_modules" / ".bin" / "eslint"


def test_site_scripts_pass_eslint() -> None:
    if not ESLINT.exists():
        pytest.fail("ESLint is missing: run `npm ci` (make test does)")
    done = subprocess.run(
        [str(ESLINT), "assets"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_eslint_catches_a_bad_script(tmp_path: Path) -> None:
    if not ESLINT.exists():
        pytest.fail("ESLint is missing: run `npm ci` (make test does)")
    bad = ROOT / "assets" / "zz-lint-probe.js"
    bad.write_text("(function () { if (x == 1) undefinedName(); })();\n")
    try:
        done = subprocess.run(
            [str(ESLINT), str(bad)], cwd=ROOT, capture_output=True, text=True, check=False
        )
    finally:
        bad.unlink()
    assert done.returncode == 1 and "eqeqeq" in done.stdout and "no-undef" in done.stdout


def test_no_script_or_style_is_written_in_python() -> None:
    # The site's JavaScript and CSS live in assets/, linted; Python only emits markup and data.
    javascript = re.compile(r"addEventListener|querySelector|getElementById")
    css_rule = re.compile(r"\.[a-z][\w-]*\s*\{\s*[a-z-]+\s*:")
    for path in (ROOT / "asps").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not javascript.search(text), f"{path}: {javascript.search(text).group()}"
        assert not css_rule.search(text), f"{path}: {css_rule.search(text).group()}"
