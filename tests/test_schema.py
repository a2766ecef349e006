"""The exported JSON Schema agrees with the validator on real documents."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from qmskit.cli import main
from qmskit.loader import open_qms

from qmsfactory import QmsRepo


def _schema(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _front_matter(path: str) -> dict[str, object]:
    text = Path(path).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])  # type: ignore[no-any-return]


def _jsonable(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def test_schema_accepts_every_example_document(
    example_root: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(example_root, Path)
    validator = jsonschema.Draft202012Validator(_schema(capsys))
    qms = open_qms(example_root, with_git=False)
    assert len(qms.documents) >= 40
    for doc in qms.documents.values():
        if doc.register is not None:
            continue  # a register's row has no front matter: its cells are checked by the loader
        errors = list(validator.iter_errors(_jsonable(_front_matter(str(example_root /
                                                                        doc.path)))))
        assert errors == [], (doc.path, errors[0].message if errors else "")


@pytest.mark.parametrize(
    "change",
    [{"ownr": "ROLE-QM"}, {"kind": "procdure"}, {"id": "proc-lower"}, {"status": "done"},
     {"review": {"interval": "soon"}}],
)
def test_schema_rejects_what_the_validator_rejects(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str], change: dict[str, object]
) -> None:
    validator = jsonschema.Draft202012Validator(_schema(capsys))
    document = _jsonable({**_front_matter(str(clean.root / "procedures/PROC-A.md")), **change})
    assert list(validator.iter_errors(document)), change
