"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.

Code scanning keeps findings across runs and shows them on the pull request's lines,
so a reviewer sees that a change leaves a procedure without a path to strategy the way
they would see a failing lint. Every rule is described in the log (its documentation
page becomes the help text), results point at the exact line and column, and a
fingerprint built from rule, document and message (not the line, which moves with every
edit) lets code scanning recognise the same finding after unrelated changes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from qmskit.rules.checker import CheckResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def _rules() -> list[dict[str, Any]]:
    from qmskit.rules import all_rules

    return [
        {
            "id": code,
            "name": registered.name,
            "shortDescription": {"text": registered.summary},
            "fullDescription": {"text": registered.doc},
            "help": {"text": registered.doc, "markdown": registered.doc},
            "defaultConfiguration": {"level": registered.severity},
            "properties": {"tags": ["qms", "iso-9001", registered.family],
                           "precision": "very-high"},
        }
        for code, registered in all_rules().items()
    ]


def sarif(result: CheckResult, colour: bool = False) -> str:
    """One SARIF run: the qmskit driver with its rules, and one result per finding."""
    from qmskit import __version__

    rules = _rules()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = []
    for finding in result.findings:
        message = finding.message + (f" (hint: {finding.hint})" if finding.hint else "")
        identity = f"{finding.code}|{finding.doc_id or finding.path}|{finding.message}"
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "level": finding.severity,
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.path, safe="/"),
                                         "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(finding.line, 1),
                               "startColumn": max(finding.col, 1)},
                },
            }],
            "partialFingerprints": {
                "qmskitFinding/v1": hashlib.sha256(identity.encode()).hexdigest()[:32],
            },
        }
        if finding.code in index:
            entry["ruleIndex"] = index[finding.code]
        if finding.doc_id:
            entry["properties"] = {"documentId": finding.doc_id}
        results.append(entry)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qmskit", "version": __version__,
                                "semanticVersion": __version__, "rules": rules}},
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"message": {"text": notice.message}, "level": "note"}
                    for notice in result.notices
                ],
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"documents": result.documents, "today": result.today.isoformat()},
        }],
    }
    return json.dumps(log, indent=2) + "\n"
