"""Issue 13 on the site: Material's page keys pass through (qmskit keeps `status`),
declared fields show in the panel, a register is a table with an anchor per row."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MKDOCS_YML, mkdocs_build

from plants import declare_kinds, register, supplier
from qmsfactory import QmsRepo, approved


def _build(repo: QmsRepo, tmp_path: Path) -> Path:
    repo.write_raw("qms_docs/index.md", "# Handbook\n")
    config = repo.root / "mkdocs.yml"
    config.write_text(MKDOCS_YML.replace("  - search\n", "  - search\n  - tags\n"),
                      encoding="utf-8")
    site = tmp_path / "site"
    done = mkdocs_build(config, site)
    assert done.returncode == 0, done.stderr
    return site


def test_page_keys_declared_fields_and_registers(clean: QmsRepo, tmp_path: Path) -> None:
    policy = clean.write("DOC-POLICY", "document", owner="ROLE-MD", type="policy",
                         clauses=["5.2"], tags=["policy", "leadership"], hide=["toc"],
                         description="Our quality policy.", body="See RISK-R1.\n",
                         **{"x-owner-note": "reviewed at the MR"}, **approved(version="2.0"))
    target = clean.root / "qms_docs/DOC-POLICY.md"
    policy.rename(target)
    declare_kinds(clean)
    supplier(clean, "SUP-ACME", category="castings", score=4.5)
    register(clean, "REG-RISK", "risk", "id,title,affects,likelihood,impact\n"
             "RISK-R1,Supplier insolvency,PROC-A,2,3\n"
             'RISK-R2,"Late delivery, again",PROC-A,1,2\n')
    site = _build(clean, tmp_path)

    page = (site / "DOC-POLICY" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'class="md-tag">([^<]*)', page) == ["leadership", "policy"]
    assert re.search(r'md-sidebar--secondary"[^>]*\bhidden\b', page)  # hide: [toc]
    assert '<meta name="description" content="Our quality policy.">' in page
    # qmskit owns `status`: Material shows no page status for "approved".
    assert "md-status" not in page
    assert re.search(r"<dt>Version</dt><dd>2\.0</dd>", page)
    assert re.search(r"<dt>Type</dt><dd>policy</dd>", page)
    assert 'href="../registers/REG-RISK/#risk-r1"' in page

    panel = (site / "suppliers" / "SUP-ACME" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<dt>Category</dt><dd>castings</dd>", panel)
    assert re.search(r"<dt>Score</dt><dd>4\.5</dd>", panel)
    assert re.search(r'<dt>Supplies</dt><dd><a href="../../procedures/PROC-A/"', panel)

    table = (site / "registers" / "REG-RISK" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<tr id="(risk-r\d)">', table) == ["risk-r1", "risk-r2"]
    assert "Late delivery, again" in table
    # Rows get no page of their own; the register page is theirs.
    assert not (site / "registers" / "data").exists() or not any(
        p.name == "index.html" for p in (site / "registers" / "data").rglob("*"))
