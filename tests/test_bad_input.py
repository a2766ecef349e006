"""The bad-input catalogue: odd and hostile files each get a clear, located finding.

Never a traceback, never a partial result: every other document is still checked, which
each case proves by also planting an unrelated defect (OBJ-NOKPI, T303) that must still
be reported.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.site import SiteContext, generate, render_page

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, approved, git, init_git, line_of, monthly

Case = Callable[[QmsRepo], tuple[str, str, int] | None]

FRONT = "---\nid: PROC-X\nkind: procedure\ntitle: X\nowner: ROLE-QM\nstatus: draft\n"
FRONT += "supports: [OBJ-A]\n"


def binary_md(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/logo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    return "D101", "procedures/logo.md", 1


def utf8_bom(repo: QmsRepo) -> None:
    repo.write_raw("procedures/PROC-X.md", ("\ufeff" + FRONT + "---\nBody\n").encode())


def crlf(repo: QmsRepo) -> None:
    repo.write_raw("procedures/PROC-X.md", (FRONT + "---\nBody\n").replace("\n", "\r\n"))


def non_utf8(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT.encode() + b"---\nCaf\xe9 au lait\n")
    return "D101", "procedures/PROC-X.md", 9


def empty_front_matter(repo: QmsRepo) -> None:
    repo.write_raw("procedures/notes.md", "---\n---\nJust notes, a plain page.\n")


def unclosed_front_matter(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT + "Body without a closing line\n")
    return "D101", "procedures/PROC-X.md", 1


def tabs(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT + "review:\n\tlast: 2026-01-01\n---\n")
    return "D101", "procedures/PROC-X.md", 9


def duplicate_keys(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT + "owner: ROLE-MD\n---\n")
    return "D101", "procedures/PROC-X.md", 8


def anchors_and_aliases(repo: QmsRepo) -> None:
    repo.write_raw("procedures/PROC-X.md",
                   FRONT.replace("supports: [OBJ-A]", "supports: &s [OBJ-A]")
                   + "inputs: []\noutputs: []\n---\n")


def alias_bomb(repo: QmsRepo) -> tuple[str, str, int]:
    lines = [FRONT.rstrip("\n"), "lol: &a [x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        lines.append(f"l{index}: &{chr(97 + index)} [" +
                     ", ".join([f"*{chr(96 + index)}"] * 9) + "]")
    repo.write_raw("procedures/PROC-X.md", "\n".join(lines) + "\n---\n")
    return "D101", "procedures/PROC-X.md", 0


def deep_nesting(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT + "deep: " + "[" * 3000 + "]" * 3000 + "\n---\n")
    return "D101", "procedures/PROC-X.md", 0


def huge_file(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.root / "procedures/PROC-HUGE.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(FRONT.encode() + b"---\n")
        handle.truncate(50 * 1024 * 1024)  # a 50 MB sparse file
    return "D101", "procedures/PROC-HUGE.md", 1


def date_as_string_and_string_as_date(repo: QmsRepo) -> tuple[str, str, int]:
    # Quoted dates are accepted as dates; a bare date where text belongs is a finding
    # whose hint says to quote it.
    repo.write_raw("procedures/PROC-X.md", FRONT.replace("title: X", "title: 2026-01-01")
                   .replace("status: draft", "status: approved\napproved_on: '2026-06-01'")
                   + "---\n")
    return "D102", "procedures/PROC-X.md", 4


def odd_ids(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT.replace("id: PROC-X", "id: 'PROC-X<b>'")
                   + "---\n")
    return "D102", "procedures/PROC-X.md", 2


def spaces_and_non_ascii_names(repo: QmsRepo) -> None:
    repo.write_raw("procedures/Prüfung der Ware (Eingang).md", FRONT + "---\nBody\n")


def symlink_loop(repo: QmsRepo) -> tuple[str, str, int]:
    (repo.root / "procedures").mkdir(parents=True, exist_ok=True)
    (repo.root / "procedures/loop-a.md").symlink_to("loop-b.md")
    (repo.root / "procedures/loop-b.md").symlink_to("loop-a.md")
    (repo.root / "procedures/up").symlink_to("..")  # a directory loop is not followed
    return "D101", "procedures/loop-a.md", 1


def symlink_outside(repo: QmsRepo) -> tuple[str, str, int]:
    outside = repo.root.parent / "outside.md"
    outside.write_text(FRONT + "---\n", encoding="utf-8")
    (repo.root / "procedures").mkdir(parents=True, exist_ok=True)
    (repo.root / "procedures/PROC-X.md").symlink_to(outside)
    return "D101", "procedures/PROC-X.md", 1


def data_path_outside(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("KPI-X", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                      data="../../../../etc/passwd", **approved())
    line = path.read_text().splitlines().index("data: ../../../../etc/passwd") + 1
    return "D105", "qms_docs/kpis/KPI-X.md", line


def data_symlink_outside(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("KPI-X", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                      data="data/KPI-X.csv", **approved())
    outside = repo.root.parent / "secret.csv"
    outside.write_text("period,value\n2026-10,1\n", encoding="utf-8")
    (repo.root / "qms_docs/kpis/data").mkdir(parents=True, exist_ok=True)
    (repo.root / "qms_docs/kpis/data/KPI-X.csv").symlink_to(outside)
    line = path.read_text().splitlines().index("data: data/KPI-X.csv") + 1
    return "D105", "qms_docs/kpis/KPI-X.md", line


# --- dates near the end of the calendar (issue 11 item 19): findings, never a crash ---

def review_last_9999(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("PROC-FAR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(review={"last": "9999-12-01", "interval": "12 months"}))
    return "C407", "procedures/PROC-FAR.md", line_of(path, "last: 9999-12-01")


def interval_8000_years(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("PROC-FAR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      **approved(review={"last": "2026-06-01", "interval": "8000 years"}))
    return "D102", "procedures/PROC-FAR.md", line_of(path, "interval: 8000 years")


def approved_on_9999_with_readers(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("PROC-FAR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                      applies_to=["ROLE-QM"], **approved(approved_on="9999-12-20"))
    repo.write_raw("qms_docs/acknowledgements.csv", "id,version,handle,date\n")
    return "C407", "procedures/PROC-FAR.md", line_of(path, "approved_on: 9999-12-20")


def _weekly_kpi(repo: QmsRepo, rows: str) -> None:
    repo.write("KPI-WEEK", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%",
               direction="higher", target=95.0, warn_at=90.0, frequency="weekly",
               data="data/KPI-WEEK.csv", **approved())
    repo.data("KPI-WEEK", "period,value\n2026-W46,96\n" + rows)


def period_9999_w52(repo: QmsRepo) -> tuple[str, str, int]:
    _weekly_kpi(repo, "9999-W52,96\n")  # the week would end in the year 10000
    return "D105", "qms_docs/kpis/data/KPI-WEEK.csv", 3


def period_9999_w51(repo: QmsRepo) -> tuple[str, str, int]:
    _weekly_kpi(repo, "9999-W51,96\n")  # the last whole week: it has no successor
    return "C407", "qms_docs/kpis/data/KPI-WEEK.csv", 3


# --- KPI values and periods the writer refuses (issue 11 item 18) -----------------------

def _kpi_row(repo: QmsRepo, row: str, code: str) -> tuple[str, str, int]:
    repo.data("KPI-A", monthly(1, 9) + row + "\n")
    return code, "qms_docs/kpis/data/KPI-A.csv", 11


def kpi_decimal_comma(repo: QmsRepo) -> tuple[str, str, int]:
    return _kpi_row(repo, "2026-10,61,9", "D105")  # not 61


def kpi_underscore_digits(repo: QmsRepo) -> tuple[str, str, int]:
    return _kpi_row(repo, "2026-10,7_0", "D105")  # float() reads 70


def kpi_unicode_digits(repo: QmsRepo) -> tuple[str, str, int]:
    return _kpi_row(repo, "2026-10,٧٠", "D105")  # float() reads 70


def kpi_n_a_without_reason(repo: QmsRepo) -> tuple[str, str, int]:
    return _kpi_row(repo, "2026-10,n/a", "D105")


def kpi_future_period(repo: QmsRepo) -> tuple[str, str, int]:
    return _kpi_row(repo, "2062-10,96", "C407")  # a typo for 2026-10


def blank_title(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT.replace("title: X", "title: '   '") + "---\n")
    return "D102", "procedures/PROC-X.md", 4


def case_colliding_names(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT + "---\n")
    repo.write_raw("procedures/proc-x.md", FRONT.replace("PROC-X", "PROC-Y") + "---\n")
    return "D106", "procedures/proc-x.md", 1


def no_commits(repo: QmsRepo) -> None:
    git(repo.root, "init", "-q")


def shallow_clone(repo: QmsRepo) -> None:
    init_git(repo.root)
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "second", date="2026-02-01")
    clone = repo.root.parent / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True)
    _replace_root(repo, clone)


def detached_head(repo: QmsRepo) -> None:
    init_git(repo.root)
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "second", date="2026-02-01")
    git(repo.root, "checkout", "-q", "--detach", "HEAD~1")


def _replace_root(repo: QmsRepo, new_root: Path) -> None:
    repo.root = new_root


CASES: dict[str, Case] = {fn.__name__: fn for fn in (
    binary_md, utf8_bom, crlf, non_utf8, empty_front_matter, unclosed_front_matter, tabs,
    duplicate_keys, anchors_and_aliases, alias_bomb, deep_nesting, huge_file,
    date_as_string_and_string_as_date, odd_ids, spaces_and_non_ascii_names, symlink_loop,
    symlink_outside, data_path_outside, data_symlink_outside, no_commits, shallow_clone,
    detached_head, review_last_9999, interval_8000_years, approved_on_9999_with_readers,
    period_9999_w52, period_9999_w51, kpi_decimal_comma, kpi_underscore_digits,
    kpi_unicode_digits, kpi_n_a_without_reason, kpi_future_period, blank_title,
    case_colliding_names,
)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    canary = PLANTS["T303"](clean)
    expected = CASES[name](clean)
    started = time.perf_counter()
    status = main(["check", str(clean.root), "--format", "json", "--today", TODAY])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    report = json.loads(captured.out)
    located = {(f["code"], f["path"], f["line"]) for f in report["findings"]}
    # The unrelated defect elsewhere is still found: one bad file stops nothing.
    assert (canary.code, canary.path, canary.line) in located
    for finding in report["findings"]:
        assert finding["path"] and finding["line"] >= 1 and finding["col"] >= 1
    if expected is not None:
        code, path, line = expected
        hits = [f for f in report["findings"] if f["code"] == code and f["path"] == path]
        assert hits, report["findings"]
        if line:
            assert hits[0]["line"] == line, hits
    else:
        extra = [f for f in report["findings"] if f["path"] != canary.path]
        assert extra == [], extra
    assert status == 1
    assert elapsed < 10


def test_dates_near_the_end_of_the_calendar_in_every_command(
    clean: QmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not only the check: reports and pages do date arithmetic too (issue 11 item 19)."""
    for case in (review_last_9999, approved_on_9999_with_readers, period_9999_w51):
        case(clean)
    clean.write("ACT-FAR", "action", owner="ROLE-QM", opened="9999-12-30", due="9999-12-31",
                **approved(approved_on="9999-12-30"))
    init_git(clean.root)
    for args in (["check", str(clean.root)], ["health", str(clean.root)],
                 ["report", "management-review", str(clean.root)],
                 ["coverage", str(clean.root)], ["graph", "--root", str(clean.root)],
                 ["pages", str(tmp_path / "out"), "--root", str(clean.root)]):
        code = main(args)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err, args
        # The far dates are findings (C407), so the check fails and no handbook is written.
        assert code == (1 if args[0] in ("check", "pages") else 0), (args, captured.err)
    # The page generators on their own, as the MkDocs plugin runs them.
    ctx = SiteContext.create(open_qms(clean.root))
    assert "system/reviews.md" in "".join(generate(ctx))
    for doc_id, doc in ctx.qms.documents.items():
        assert doc_id in render_page(ctx, ctx.src_of[doc_id], doc.body)
