"""Check `_quarto.yml` and chapter front matter against Quarto's own configuration schema.

Quarto ships its schemas as `all-schema-definitions.json`, in its own validator format (not JSON
Schema). This module re-implements that validator (Quarto's
`src/core/lib/yaml-validation/validator.ts`) so that a misspelt key or a wrong value is caught by
the tests, on machines without the Quarto CLI.

On top of Quarto's rules, *strict* mode (the default) also reports unknown keys inside option
objects that Quarto leaves open but only checks for naming convention (``format: html:``,
``execute:``, ...): Quarto passes ``toc-dept: 3`` there silently, which is almost always a typo.
Pass ``strict=False`` (``--lenient``) for exactly Quarto's verdict.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import yaml

from asps.paths import ROOT, SHARED_DIR

__all__ = [
    "ENV_VAR",
    "CheckResult",
    "ConfigIssue",
    "QuartoSchema",
    "check_project",
    "iter_schema_nodes",
    "load_yaml",
    "main",
    "read_front_matter",
    "report",
    "schema_dir",
]

ENV_VAR = "ASPS_QUARTO_SCHEMA"
SCHEMA_FILE = "all-schema-definitions.json"
PROJECT_SCHEMA = "project-config"
FRONT_MATTER_SCHEMA = "front-matter"

# Every key that occurs on a schema node in Quarto's file; `test_quarto_config` fails if Quarto
# adds one, so a new rule is never silently ignored.
NODE_KEYS = frozenset(
    {
        "type", "$ref", "anyOf", "allOf", "enum", "properties", "patternProperties",
        "additionalProperties", "propertyNames", "required", "closed", "items", "pattern",
        "errorMessage",
        # documentation and editor hints only
        "_internalId", "$id", "description", "documentation", "tags", "completions",
        "exhaustiveCompletions",
    }
)  # fmt: skip

Path_ = tuple[str | int, ...]


# --------------------------------------------------------------------------------------------
# YAML as Quarto reads it


class _QuartoLoader(yaml.SafeLoader):
    """YAML 1.2 JSON-like scalars, as Quarto's js-yaml schema: `yes` and dates stay strings."""


_QuartoLoader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]:
    _QuartoLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_regex), list(_first)
    )


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2], 10)
    return sign * int(digits[2:] if base != 10 else digits, base)


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float | str:
    text = loader.construct_scalar(node).replace("_", "")
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    try:
        return float(special.get(text.lower(), text))
    except ValueError:  # the permissive resolver also matches lone "." or "-"
        return text


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # js-yaml rejects duplicate keys; PyYAML would silently keep the last one.
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicated mapping key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_QuartoLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_QuartoLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_QuartoLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# `!expr` marks an R expression evaluated by knitr; for validation it is a string.
_QuartoLoader.add_constructor("!expr", lambda loader, node: loader.construct_scalar(node))


def load_yaml(text: str) -> Any:
    """Parse YAML the way Quarto does (YAML 1.2 core scalars, no timestamps, no duplicate keys).

    Parameters
    ----------
    text
        YAML source.

    Returns
    -------
    Any
        The parsed value.
    """
    return yaml.load(text, Loader=_QuartoLoader)  # a SafeLoader subclass: no arbitrary objects


_FRONT_MATTER = re.compile(r"\A((?:\s*\n)?---[ \t]*\n)(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def read_front_matter(text: str) -> tuple[str, int] | None:
    """Return the YAML front matter of a `.qmd` and the line its YAML starts on, if any.

    Parameters
    ----------
    text
        Document source.

    Returns
    -------
    tuple[str, int] | None
        YAML text and the line (1-based) after the opening ``---``, or None without front matter.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    return match.group(2) or "", match.group(1).count("\n") + 1


# --------------------------------------------------------------------------------------------
# The validator


@dataclass(frozen=True)
class _Error:
    path: Path_
    message: str
    kind: str  # closed | strict | type | enum | pattern | required | propertyNames | false
    quality: float  # Quarto's ranking of competing anyOf explanations: lower is more useful
    span: int  # size of the offending YAML value, as Quarto's tie-break on source span


@dataclass(frozen=True)
class ConfigIssue:
    """One configuration error: the file, the path to the offending key and what is wrong."""

    file: str
    path: Path_
    message: str

    @property
    def where(self) -> str:
        """Dotted path to the key, e.g. ``book.chapters[2].part``."""
        return _dotted(self.path)

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _document_order(value: Any, path: Path_) -> tuple[int, ...]:
    # Report issues in the order their keys appear in the file, not in schema order.
    order = []
    for part in path:
        if isinstance(value, dict):
            keys = [_js_key(k) for k in value]
            index = keys.index(part) if part in keys else len(keys)
            order.append(index)
            value = list(value.values())[index] if index < len(keys) else None
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            order.append(part)
            value = value[part]
        else:
            order.append(0)
    return tuple(order)


def _js_key(key: Any) -> str:
    # JavaScript objects key by String(key): YAML `true:` becomes "true", `1:` becomes "1".
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _js_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return (isinstance(a, str) and isinstance(b, str) and a == b) or (a is None and b is None)


def _show(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _span(value: Any) -> int:
    return len(json.dumps(value, default=str))


def _suggest(key: str, allowed: Sequence[str]) -> list[str]:
    dashed = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()
    exact = [dashed] if dashed != key and dashed in allowed else []
    return exact or difflib.get_close_matches(key, allowed, n=3, cutoff=0.75)


def _pattern_names(node: dict[str, Any]) -> list[str]:
    # Output formats are keyed by patterns like `^(.+-)?html([-+].+)?$`: recover the names.
    names = []
    for pattern in node.get("patternProperties") or {}:
        match = re.fullmatch(r"\^\(\.\+-\)\?(\w+)\(\[-\+\]\.\+\)\?\$", pattern)
        names += [match.group(1)] if match else []
    return names


def _unknown_key_message(key: str, allowed: Sequence[str], strict: bool) -> str:
    allowed = sorted(allowed)
    hints = _suggest(key, allowed)
    head = (
        "unknown key (Quarto ignores it here, so it is probably a typo)"
        if strict
        else "unknown key"
    )
    if hints:
        head += " (did you mean " + " or ".join(f"'{h}'" for h in hints) + "?)"
    listed = ", ".join(allowed[:20])
    if len(allowed) > 20:
        listed += f", ... ({len(allowed)} in all)"
    return f"{head} (allowed: {listed})"


class QuartoSchema:
    """Quarto's schema set, with a validator for its format.

    Parameters
    ----------
    definitions
        The parsed `all-schema-definitions.json`: schema id to schema node.
    """

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._strict = True

    @classmethod
    def load(cls, folder: Path) -> QuartoSchema:
        """Read `all-schema-definitions.json` from `folder` (cached per path)."""
        return _load_schema(folder.resolve())

    def validate(self, value: Any, schema_id: str, *, strict: bool = True) -> list[ConfigIssue]:
        """Validate a parsed YAML value against one schema id.

        Parameters
        ----------
        value
            Parsed YAML (see `load_yaml`).
        schema_id
            For example ``"project-config"`` or ``"front-matter"``.
        strict
            Also report unknown keys in open option objects (see module docstring).

        Returns
        -------
        list[ConfigIssue]
            Empty when valid; issues carry an empty file name.
        """
        self._strict = strict
        errors = self._check(self.definitions[schema_id], value, ())
        unique = dict.fromkeys((e.path, e.message) for e in errors)
        ordered = sorted(unique, key=lambda issue: _document_order(value, issue[0]))
        return [ConfigIssue("", path, message) for path, message in ordered]

    # -- node dispatch -----------------------------------------------------------------------

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and node.get("type") == "ref":
            node = self.definitions[node["$ref"]]
        return node

    def _describe(self, node: Any) -> str:
        node = self._resolve(node)
        return str(node.get("description", "be valid")) if isinstance(node, dict) else "be valid"

    def _check(self, node: Any, value: Any, path: Path_) -> list[_Error]:
        node = self._resolve(node)
        if node is True:
            return []
        if node is False:
            return [_Error(path, "no value is allowed here", "false", 1, _span(value))]
        kind = node["type"]
        if kind == "anyOf":
            return self._any_of(node, value, path)
        if kind == "allOf":
            return [e for sub in node["allOf"] for e in self._check(sub, value, path)]
        if kind == "object":
            return self._object(node, value, path)
        if kind == "array":
            return self._array(node, value, path)
        if kind == "enum":
            if any(_js_equal(value, option) for option in node["enum"]):
                return []
            message = f"{_show(value)} must {self._describe(node)}"
            return [self._error(node, value, path, "enum", message)]
        if kind == "any":
            return []
        valid = {
            "string": isinstance(value, str),
            "boolean": isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "null": value is None,
        }
        if kind not in valid:
            raise ValueError(f"unsupported schema node type {kind!r}")
        if not valid[kind]:
            return [self._type_error(node, value, path)]
        pattern = node.get("pattern") if kind == "string" else None
        if pattern is not None and not self._regex(pattern).search(value):
            text = f"{_show(value)} must {self._describe(node)}"
            return [self._error(node, value, path, "pattern", text)]
        return []

    def _regex(self, pattern: str) -> re.Pattern[str]:
        if pattern not in self._patterns:
            self._patterns[pattern] = re.compile(pattern)
        return self._patterns[pattern]

    def _error(self, node: dict, value: Any, path: Path_, kind: str, message: str) -> _Error:
        custom = node.get("errorMessage")
        if isinstance(custom, str) and kind != "propertyNames":
            message = custom.replace("${value}", str(value))
        importance = (node.get("tags") or {}).get("error-importance")
        quality = importance if isinstance(importance, int | float) else 1
        return _Error(path, message, kind, quality, _span(value))

    def _type_error(self, node: dict, value: Any, path: Path_) -> _Error:
        message = f"{_kind_of(value)} {_show(value)} must {self._describe(node)}"
        error = self._error(node, value, path, "type", message)
        if node["type"] == "null":  # "should be null" is rarely the helpful reading
            return _Error(error.path, error.message, error.kind, 10, error.span)
        return error

    # -- combinators ---------------------------------------------------------------------------

    def _any_of(self, node: dict, value: Any, path: Path_) -> list[_Error]:
        branches = []
        for sub in node["anyOf"]:
            errors = self._check(sub, value, path)
            if not errors:
                return []
            branches.append(errors)
        # Quarto's pruning: prefer a "missing required key" explanation over "bad key name",
        # then the branch whose worst error ranks best, then the smallest offending span.
        required = [b for b in branches if b[0].kind == "required"]
        if required and any(b[0].kind == "propertyNames" for b in branches):
            return required[0]
        best = min(branches, key=lambda b: (max(e.quality for e in b), sum(e.span for e in b)))
        if all(e.kind in ("type", "enum", "pattern") and e.path == path for e in best):
            # The value fits no alternative at all: say what the alternatives are.
            alternatives = "; ".join(dict.fromkeys(self._alternatives(node)))
            message = f"{_kind_of(value)} {_show(value)} must be one of: {alternatives}"
            if isinstance(node.get("errorMessage"), str):
                message = node["errorMessage"].replace("${value}", _show(value))
            return [_Error(path, message, "type", min(e.quality for e in best), _span(value))]
        return best

    def _alternatives(self, node: Any) -> list[str]:
        # Quarto's own anyOf descriptions name referenced schemas by id ("math-methods"):
        # spell the alternatives out instead.
        node = self._resolve(node)
        if not isinstance(node, dict):
            return []
        if node.get("type") == "anyOf":
            return [alt for sub in node["anyOf"] for alt in self._alternatives(sub)]
        if node.get("type") == "enum":
            return [f"`{option}`" for option in node["enum"]]
        return [str(node.get("description", "")).removeprefix("be ")]

    def _array(self, node: dict, value: Any, path: Path_) -> list[_Error]:
        if not isinstance(value, list):
            return [self._type_error(node, value, path)]
        if "items" not in node:
            return []
        items = node["items"]
        return [e for i, item in enumerate(value) for e in self._check(items, item, (*path, i))]

    def _object(self, node: dict, value: Any, path: Path_) -> list[_Error]:
        if not isinstance(value, dict):
            return [self._type_error(node, value, path)]
        errors: list[_Error] = []
        items = {_js_key(k): v for k, v in value.items()}
        properties: dict[str, Any] = node.get("properties") or {}
        inspected: set[str] = set()
        for key, sub in properties.items():
            if key in items:
                inspected.add(key)
                errors += self._check(sub, items[key], (*path, key))
        for pattern, sub in (node.get("patternProperties") or {}).items():
            for key, item in items.items():
                if self._regex(pattern).search(key):
                    inspected.add(key)
                    errors += self._check(sub, item, (*path, key))
        if node.get("closed"):
            for key in items:
                if key not in properties:
                    message = _unknown_key_message(key, list(properties), strict=False)
                    errors.append(self._error(node, key, (*path, key), "closed", message))
        elif (
            self._strict
            and path  # Quarto's top level is open by design
            and "additionalProperties" not in node
            and (node.get("tags") or {}).get("case-detection")  # an object of named options
        ):
            for key in items:
                if key not in inspected:
                    message = _unknown_key_message(key, list(properties), strict=True)
                    errors.append(self._error(node, key, (*path, key), "strict", message))
        if "additionalProperties" in node:
            for key, item in items.items():
                if key not in inspected:
                    extra = self._check(node["additionalProperties"], item, (*path, key))
                    if extra and node["additionalProperties"] is False:
                        allowed = list(properties) + _pattern_names(node)
                        message = _unknown_key_message(key, allowed, strict=False)
                        extra = [_Error((*path, key), message, "closed", 1, _span(key))]
                    errors += extra
        if "propertyNames" in node:
            names = node["propertyNames"]
            for key in items:
                if self._check(names, key, (*path, key)):
                    if (names.get("tags") or {}).get("case-detection"):
                        hints = _suggest(key, list(properties))
                        message = "key does not follow Quarto's naming convention" + (
                            f" (did you mean '{hints[0]}'?)" if hints else ""
                        )
                    else:
                        message = f"key {_show(key)} must {self._describe(names)}"
                    errors.append(_Error((*path, key), message, "propertyNames", 10, _span(key)))
        for key in node.get("required") or []:
            if key not in items:
                message = f"missing required key '{key}'"
                errors.append(_Error(path, message, "required", 0, _span(value)))
        return errors


@cache
def _load_schema(folder: Path) -> QuartoSchema:
    with open(folder / SCHEMA_FILE, encoding="utf-8") as handle:
        return QuartoSchema(json.load(handle))


def iter_schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every schema node reachable inside `node` (not following `$ref`)."""
    if not isinstance(node, dict):
        return
    yield node
    for key in ("anyOf", "allOf"):
        for sub in node.get(key, []):
            yield from iter_schema_nodes(sub)
    for key in ("properties", "patternProperties"):
        for sub in (node.get(key) or {}).values():
            yield from iter_schema_nodes(sub)
    for key in ("additionalProperties", "propertyNames", "items"):
        yield from iter_schema_nodes(node.get(key))


# --------------------------------------------------------------------------------------------
# Checking a project


@dataclass
class CheckResult:
    """Outcome of `check_project`."""

    issues: list[ConfigIssue] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    method: str = "schema"  # schema | quarto | skipped
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed (a skipped check is not a failure)."""
        return not self.issues


def schema_dir() -> Path:
    """Folder holding Quarto's schema: `$ASPS_QUARTO_SCHEMA`, else ``../shared/quarto-schema``."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else SHARED_DIR / "quarto-schema"


def _issue_from_yaml_error(name: str, error: yaml.YAMLError, line_offset: int = 0) -> ConfigIssue:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1 + line_offset}" if mark is not None else "?"
    problem = getattr(error, "problem", None) or str(error)
    return ConfigIssue(name, (f"<YAML {where}>",), f"invalid YAML: {problem}")


def _project_files(project_dir: Path, config: dict[str, Any]) -> tuple[list[Path], list[Path]]:
    """Files checked against `project-config`, and files checked against `front-matter`."""
    configs = sorted(project_dir.glob("_quarto-*.yml")) + sorted(project_dir.glob("_quarto-*.yaml"))
    # metadata-files are merged into the project configuration (they may set `book:` keys).
    metadata = config.get("metadata-files")
    metadata = metadata if isinstance(metadata, list) else []
    configs += [project_dir / m for m in metadata if isinstance(m, str)]
    project = config.get("project") if isinstance(config.get("project"), dict) else {}
    render = project.get("render") if isinstance(project.get("render"), list) else []
    documents = [
        project_dir / entry
        for entry in render
        if isinstance(entry, str) and not any(c in entry for c in "*?[!")
    ]
    folders = sorted({d.parent for d in documents} | {project_dir})
    documents += [f / name for f in folders for name in ("_metadata.yml", "_metadata.yaml")]
    return [p for p in configs if p.exists()], [p for p in documents if p.exists()]


def check_project(project_dir: Path = ROOT, *, strict: bool = True) -> CheckResult:
    """Validate a Quarto project's configuration offline, or with `quarto inspect` as fallback.

    Checks `_quarto.yml`, any `_quarto-<profile>.yml` and the ``metadata-files`` it merges in
    against ``project-config``; the front matter of each document in ``project.render`` and any
    `_metadata.yml` beside them against ``front-matter``. Files not there yet (a chapter being
    written, a metadata file generated at build time) are left to other checks.

    Parameters
    ----------
    project_dir
        Folder holding `_quarto.yml`.
    strict
        Also report unknown keys in open option objects (see module docstring).

    Returns
    -------
    CheckResult
        Issues found, files checked, and how (``schema``, ``quarto`` or ``skipped``).
    """
    folder = schema_dir()
    if not (folder / SCHEMA_FILE).is_file():
        return _check_with_quarto(project_dir, reason=f"no {SCHEMA_FILE} in {folder}")
    schema = QuartoSchema.load(folder)
    result = CheckResult()
    main_config = project_dir / "_quarto.yml"
    config = _validate_file(schema, main_config, project_dir, PROJECT_SCHEMA, result, strict)
    if not isinstance(config, dict):
        return result
    configs, documents = _project_files(project_dir, config)
    for path in configs:
        _validate_file(schema, path, project_dir, PROJECT_SCHEMA, result, strict)
    for path in documents:
        _validate_file(schema, path, project_dir, FRONT_MATTER_SCHEMA, result, strict)
    return result


def _validate_file(
    schema: QuartoSchema,
    path: Path,
    project_dir: Path,
    schema_id: str,
    result: CheckResult,
    strict: bool,
) -> Any:
    name = (
        path.relative_to(project_dir).as_posix() if path.is_relative_to(project_dir) else path.name
    )
    text = path.read_text(encoding="utf-8")
    offset = 0
    if path.suffix in (".qmd", ".md", ".Rmd", ".ipynb"):
        found = read_front_matter(text)
        if found is None:
            result.checked.append(name)
            return None
        text, first_line = found
        offset = first_line - 1
    try:
        value = load_yaml(text)
    except yaml.YAMLError as error:
        result.issues.append(_issue_from_yaml_error(name, error, offset))
        return None
    result.checked.append(name)
    for issue in schema.validate(value, schema_id, strict=strict):
        result.issues.append(ConfigIssue(name, issue.path, issue.message))
    return value


def _check_with_quarto(project_dir: Path, reason: str) -> CheckResult:
    quarto = shutil.which("quarto")
    if quarto is None:
        return CheckResult(method="skipped", skipped=f"{reason}, and no quarto binary on PATH")
    run = subprocess.run(
        [quarto, "inspect", str(project_dir)], capture_output=True, text=True, check=False
    )
    result = CheckResult(method="quarto", checked=["_quarto.yml (quarto inspect)"])
    if run.returncode != 0:
        # Strip the ANSI colours Quarto puts on its validation messages.
        text = re.sub(r"\x1b\[[0-9;]*m", "", run.stderr or run.stdout).strip()
        result.issues.append(ConfigIssue("_quarto.yml", (), f"quarto inspect failed:\n{text}"))
    return result


def report(
    project_dir: Path = ROOT,
    out: TextIO | None = None,
    *,
    strict: bool = True,
    require: bool = False,
) -> int:
    """Check a project, print one line per issue and a summary, and return an exit code.

    Parameters
    ----------
    project_dir
        Folder holding `_quarto.yml`.
    out
        Stream for the report (standard output by default).
    strict
        Also report unknown keys in open option objects (see module docstring).
    require
        Fail when neither the schema nor a quarto binary is available.

    Returns
    -------
    int
        0 when valid (or skipped, unless `require`), 1 otherwise.
    """
    out = out or sys.stdout
    result = check_project(project_dir, strict=strict)
    if result.skipped:
        print(f"skipped: {result.skipped}", file=out)
        return 1 if require else 0
    for issue in result.issues:
        print(issue, file=out)
    how = "Quarto's schema" if result.method == "schema" else "quarto inspect"
    status = f"{len(result.issues)} error(s)" if result.issues else "ok"
    print(f"{status}: {len(result.checked)} file(s) checked with {how}", file=out)
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Command line entry (`python -m asps.quarto_config [project] [--lenient] [--require]`).

    Parameters
    ----------
    argv
        Command line arguments; see ``--help``.
    out
        Stream for the report (standard output by default).

    Returns
    -------
    int
        The exit code of `report`.
    """
    parser = argparse.ArgumentParser(prog="asps check-config", description=__doc__.split("\n")[0])
    parser.add_argument("project", nargs="?", type=Path, default=ROOT, help="project folder")
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="exactly Quarto's rules: no unknown-key check in open option objects",
    )
    parser.add_argument(
        "--require", action="store_true", help="fail when neither the schema nor quarto is found"
    )
    args = parser.parse_args(argv)
    return report(args.project, out, strict=not args.lenient, require=args.require)


if __name__ == "__main__":
    raise SystemExit(main())
