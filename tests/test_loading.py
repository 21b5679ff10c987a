"""The loader: every bad input gives one clear error naming file, line, column and rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from asps.loading import DataValidationError, load, load_all, read_table
from asps.paths import DATA_DIR, ROOT
from asps.schemas.cho2014 import PatientSchema

HEADER = (DATA_DIR / "patients.csv").read_text(encoding="utf-8").splitlines()[0]
ROWS = (DATA_DIR / "patients.csv").read_text(encoding="utf-8").splitlines()[1:4]


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "patients.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as err:
        read_table(path, PatientSchema)
    return [str(p) for p in err.value.problems]


def set_cell(row: str, column: str, value: str) -> str:
    names = HEADER.split(",")
    cells = row.split(",")
    cells[names.index(column)] = value
    return ",".join(cells)


def test_real_data_validates() -> None:
    frames = load_all()
    assert len(frames["patients"]) == 19  # n = 19: Cho 2014, abstract and methods
    assert set(frames["patients"].columns) == set(PatientSchema.to_schema().columns)


def test_missing_column(tmp_path: Path) -> None:
    header = HEADER.replace(",size_mm", "")
    rows = [
        ",".join(c for i, c in enumerate(r.split(",")) if HEADER.split(",")[i] != "size_mm")
        for r in ROWS
    ]
    found = problems(write(tmp_path, "\n".join([header, *rows]) + "\n"))
    assert any(":1: column 'size_mm': required column is missing" in p for p in found), found


def test_extra_unknown_column(tmp_path: Path) -> None:
    text = "\n".join([HEADER + ",favourite_colour", *(r + ",blue" for r in ROWS)]) + "\n"
    found = problems(write(tmp_path, text))
    assert any("column 'favourite_colour': unknown column" in p for p in found), found


def test_unknown_category(tmp_path: Path) -> None:
    rows = [ROWS[0], set_cell(ROWS[1], "margin", "R3"), ROWS[2]]
    found = problems(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert found == [
        f"{tmp_path / 'patients.csv'}:3: column 'margin': isin(['R0', 'R1', 'R2']) (value: 'R3')"
    ]


@pytest.mark.parametrize(
    ("value", "rule"),
    [("-5", "greater_than(0)"), ("big", "not a number"), ("4.5", "not a whole number")],
)
def test_bad_size(tmp_path: Path, value: str, rule: str) -> None:
    rows = [ROWS[0], ROWS[1], set_cell(ROWS[2], "size_mm", value)]
    found = problems(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert len(found) == 1 and ":4: column 'size_mm': " + rule in found[0], found
    assert repr(value) in found[0]


def test_out_of_range_age(tmp_path: Path) -> None:
    rows = [set_cell(ROWS[0], "age_years", "130"), ROWS[1]]
    found = problems(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert found == [
        f"{tmp_path / 'patients.csv'}:2: column 'age_years': less_than_or_equal_to(100) "
        "(value: '130')"
    ]


def test_duplicate_id(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[1], set_cell(ROWS[2], "patient_id", ROWS[0].split(",")[0])]
    found = problems(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in found] == ["2", "4"]
    assert all("field_uniqueness" in p for p in found)


def test_empty_file(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "")) == [
        f"{tmp_path / 'patients.csv'}: file is empty: expected a header row"
    ]


def test_header_only(tmp_path: Path) -> None:
    found = problems(write(tmp_path, HEADER + "\n"))
    assert found == [f"{tmp_path / 'patients.csv'}: no data rows: the file has a header only"]


def test_too_many_fields(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[1] + ",extra"]
    found = problems(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    width = len(HEADER.split(","))
    assert found == [
        f"{tmp_path / 'patients.csv'}:3: row has {width + 1} fields, the header has {width}"
    ]


def test_non_utf8(tmp_path: Path) -> None:
    text = ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")
    bad = text.replace(b"female", b"f\xe9male", 1)
    found = problems(write(tmp_path, bad))
    line = text[: text.index(b"female")].count(b"\n") + 1
    assert found == [f"{tmp_path / 'patients.csv'}:{line}: not valid UTF-8 (bytes e9)"]


def test_several_problems_in_one_report(tmp_path: Path) -> None:
    rows = [set_cell(ROWS[0], "sex", "x"), set_cell(ROWS[1], "age_years", "-1")]
    with pytest.raises(DataValidationError) as err:
        read_table(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"), PatientSchema)
    report = str(err.value)
    assert report.startswith("2 problem(s) in ")
    assert "nothing is rendered from invalid data" in report


def test_cross_field_rule(tmp_path: Path) -> None:
    rows = [set_cell(ROWS[0], "died", "true"), ROWS[1]]
    rows[0] = set_cell(rows[0], "followup_months", "0")
    found = problems(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert found == [f"{tmp_path / 'patients.csv'}:2: a death needs followup_months > 0"]


def test_bom_crlf_and_embedded_newline_accepted(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[1], ROWS[2]]
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    path = write(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    plain = read_table(path, PatientSchema)
    assert len(plain) == 3 and list(plain.columns) == HEADER.split(",")
    # A quoted field may span lines; the row after it is then reported on its physical line.
    spanning = set_cell(ROWS[0], "initial_diagnosis", '"haem\nangioma"')
    broken = set_cell(ROWS[1], "sex", "unknown")
    found = problems(write(tmp_path, "\n".join([HEADER, spanning, broken]) + "\n"))
    assert any(":2: column 'initial_diagnosis'" in p for p in found), found
    assert any(":4: column 'sex'" in p for p in found), found


def test_nothing_dropped_or_coerced() -> None:
    raw = pd.read_csv(DATA_DIR / "patients.csv", dtype=str, keep_default_na=False)
    loaded = load("patients")
    assert len(raw) == len(loaded)
    assert list(raw["patient_id"]) == list(loaded["patient_id"])
    assert list(raw["size_mm"].astype(int)) == list(loaded["size_mm"])


def test_cli_validate_reports_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "data"
    bad.mkdir()
    for csv in DATA_DIR.glob("*.csv"):
        (bad / csv.name).write_bytes(csv.read_bytes())
    text = (bad / "patients.csv").read_text(encoding="utf-8").replace(",R1,", ",R9,", 1)
    (bad / "patients.csv").write_text(text, encoding="utf-8")
    env = {"ASPS_DATA_DIR": str(bad), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "asps", "validate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "patients.csv:" in done.stderr and "column 'margin'" in done.stderr
    assert "'R9'" in done.stderr and "Traceback" not in done.stderr
    clean = {k: v for k, v in os.environ.items() if k != "ASPS_DATA_DIR"}
    ok = subprocess.run(
        [sys.executable, "-m", "asps", "validate"], cwd=ROOT, env=clean, capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "data/ is valid" in ok.stdout
