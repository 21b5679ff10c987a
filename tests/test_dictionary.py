"""The data dictionary and datapackage.json are generated from the schemas and stay current."""

from __future__ import annotations

import json

from frictionless import Package

from asps.dictionary import data_dictionary, datapackage, table_rules
from asps.paths import DATA_DIR
from asps.schemas import TABLES


def test_dictionary_covers_every_column() -> None:
    dictionary = data_dictionary()
    for name, model in TABLES.items():
        columns = set(model.to_schema().columns)
        listed = set(dictionary.loc[dictionary["file"] == f"data/{name}", "column"])
        assert listed == columns, name
    assert dictionary["description"].str.len().gt(0).all(), "every field needs a description"


def test_dictionary_states_vocabularies() -> None:
    dictionary = data_dictionary().set_index(["file", "column"])
    assert "R0, R1, R2" in dictionary.loc[("data/patients.csv", "margin"), "allowed"]
    assert "may be empty" in dictionary.loc[("data/patients.csv", "depth"), "allowed"]


def test_table_rules_listed() -> None:
    rules = table_rules()
    assert rules["rule"].str.contains("a death needs followup_months > 0").any()


def test_datapackage_is_current_and_valid() -> None:
    written = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert written == datapackage(), "run `python -m asps site-files` to refresh datapackage.json"
    report = Package(str(DATA_DIR / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resource/name", "rowNumber", "fieldName", "note"])[:5]


def test_datapackage_catches_bad_data(tmp_path) -> None:
    for csv in DATA_DIR.glob("*.csv"):
        (tmp_path / csv.name).write_bytes(csv.read_bytes())
    text = (tmp_path / "patients.csv").read_text(encoding="utf-8").replace(",R1,", ",R7,", 1)
    (tmp_path / "patients.csv").write_text(text, encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps(datapackage()), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert not report.valid
