"""Command line: ``python -m asps <command>``; ``python -m asps --help`` lists the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asps.paths import ROOT


def _validate(_: argparse.Namespace) -> int:
    from asps.loading import DataValidationError, load_all

    try:
        frames = load_all()
    except DataValidationError as err:
        print(err.report(), file=sys.stderr)
        return 1
    rows = sum(len(frame) for frame in frames.values())
    print(f"data/ is valid: {len(frames)} tables, {rows} rows.")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from asps.audit import audit, format_audit

    table = audit()
    print(format_audit(table, only_problems=not args.all))
    return 0


def _reconstruct(args: argparse.Namespace) -> int:
    from asps.reconstruct import write_patients

    path = write_patients(check=args.check)
    print(f"{'checked' if args.check else 'wrote'} {path.relative_to(ROOT)}")
    return 0


def _coverage(_: argparse.Namespace) -> int:
    from asps.differentials import format_ihc_coverage

    print(format_ihc_coverage())
    return 0


def _bib_report(_: argparse.Namespace) -> int:
    from asps.bibliography import main as report

    return report()


def _find_quarto(args: argparse.Namespace) -> int:
    from asps.site import find_quarto

    print(find_quarto(args.install))
    return 0


def _site_files(args: argparse.Namespace) -> int:
    from asps.dictionary import write_datapackage
    from asps.render import BUNDLE_PATH, write_bundle
    from asps.site import FREEZE_DIR, invalidate_freeze, write_data_version

    project = args.project.resolve()
    if invalidate_freeze(project):
        print(f"data/, asps/ or the pins changed: {FREEZE_DIR}/ dropped", file=sys.stderr)
    for path in (
        write_data_version(project), write_datapackage(), write_bundle(project / BUNDLE_PATH)
    ):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _prune_css(args: argparse.Namespace) -> int:
    from asps.site import prune_css

    sizes = prune_css(args.site)
    if sizes is None:
        print("PurgeCSS is not installed (npm ci): the site keeps Bootstrap's full CSS",
              file=sys.stderr)
    else:
        print(f"Bootstrap CSS: {sizes[0] // 1024} KB -> {sizes[1] // 1024} KB", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run one command; return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m asps", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="validate every CSV in data/").set_defaults(run=_validate)
    audit = commands.add_parser("audit", help="figures of Cho 2014 the data cannot reproduce")
    audit.add_argument("--all", action="store_true", help="list every figure, not only problems")
    audit.set_defaults(run=_audit)
    rec = commands.add_parser("reconstruct", help="regenerate data/patients.csv")
    rec.add_argument("--check", action="store_true", help="fail if the file would change")
    rec.set_defaults(run=_reconstruct)
    commands.add_parser(
        "coverage", help="how much of the immunohistochemistry matrix is sourced"
    ).set_defaults(run=_coverage)
    commands.add_parser(
        "bib-report", help="bibliography: entries without author, identifier; placeholders"
    ).set_defaults(run=_bib_report)
    find = commands.add_parser("find-quarto", help="print the quarto binary, installing it")
    find.add_argument("--install", metavar="VERSION", help="pip-install quarto-cli==VERSION")
    find.set_defaults(run=_find_quarto)
    from asps.surveil import HELP as SURVEIL_HELP
    from asps.surveil import configure as surveil_options

    surveil_options(commands.add_parser("surveil", help=SURVEIL_HELP))
    files = commands.add_parser(
        "site-files", help="write _data-version.yml, data/datapackage.json, the Vega bundle"
    )
    files.add_argument("--project", type=Path, default=ROOT, help="project folder (default: this)")
    files.set_defaults(run=_site_files)
    prune = commands.add_parser(
        "prune-css", help="drop the Bootstrap rules no page of the rendered site uses"
    )
    prune.add_argument("site", type=Path, nargs="?", default=ROOT / "_site")
    prune.set_defaults(run=_prune_css)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
