"""JUnit XML output, for CI systems that show test reports (GitLab, Jenkins, Azure).

Each file with findings is a test suite and each finding a failed test case named by
rule and location, so the CI's test view lists what to fix, file by file. Warnings are
failures of type "warning": they do not fail the job (the exit code decides that), but
they stay visible. A clean run is one passing test case, so "no tests" never reads as
"nothing was checked".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from qmskit.rules.checker import CheckResult

# Characters XML 1.0 cannot carry at all; a message quoting a broken file may hold them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def junit(result: CheckResult, colour: bool = False) -> str:
    """A `<testsuites>` document: one suite per file with findings, one case each."""
    failures = len(result.findings)
    tests = failures or 1
    root = ET.Element("testsuites", name="qmskit check", tests=str(tests),
                      failures=str(failures), errors="0")
    suite = root
    if not result.findings:
        suite = ET.SubElement(root, "testsuite", name="qmskit", tests="1", failures="0",
                              errors="0", skipped="0")
        ET.SubElement(suite, "testcase", classname="qmskit",
                      name=f"{result.documents} documents checked as of {result.today}")
    for path, group in groupby(result.findings, key=lambda f: f.path):
        findings = list(group)
        suite = ET.SubElement(root, "testsuite", name=_clean(path), tests=str(len(findings)),
                              failures=str(len(findings)), errors="0", skipped="0")
        for finding in findings:
            case = ET.SubElement(suite, "testcase", classname=_clean(path),
                                 name=_clean(f"{finding.code} {finding.location()}"),
                                 file=_clean(path), line=str(finding.line))
            failure = ET.SubElement(case, "failure", type=finding.severity,
                                    message=_clean(f"{finding.code} {finding.message}"))
            failure.text = _clean(f"{finding.location()}: {finding.code} [{finding.severity}] "
                                  f"{finding.message}"
                                  + (f"\nhint: {finding.hint}" if finding.hint else ""))
    if result.notices:
        out = ET.SubElement(suite, "system-out")
        out.text = _clean("\n".join(f"note: {n.message}" for n in result.notices))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
