"""The bad-input catalogue: odd and hostile files each get a clear, located finding.

Never a traceback, never a partial result: every other document is still checked, which
each case proves by also planting an unrelated defect (OBJ-NOKPI, T303) that must still
be reported. Never a hang: a FIFO where a file belongs is a finding (each case runs
under an alarm). Nothing outside the repository is read, printed or written: files
planted outside hold a sentinel that must never show up, and the outside folder must
stay as it was.

The second catalogue (`WRITERS`) does the same for the commands that write: hostile or
unwritable targets give a clear message and exit 2, as real processes, with nothing
written outside the repository and nothing half-written inside it.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from qmskit.cli import main
from qmskit.loader import open_qms
from qmskit.site import SiteContext, generate, render_page

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, approved, git, init_git, line_of, monthly

Case = Callable[[QmsRepo], tuple[str, str, int] | None]

#: Lives only in files outside the repository: it must never appear in any output.
SENTINEL = "SENTINEL-OUTSIDE-THE-REPOSITORY"


def outside(repo: QmsRepo) -> Path:
    """A folder beside the repository, with a file that holds only the sentinel."""
    folder = repo.root.parent / "outside"
    folder.mkdir(exist_ok=True)
    secret = folder / "secret"
    if not secret.exists():
        secret.write_text(f"{SENTINEL}:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every entry under `folder` (links as their target, FIFOs by kind), to prove that
    nothing was created, changed or removed there."""
    found: dict[str, bytes] = {}
    if not folder.exists():
        return found
    for current, dirs, names in os.walk(folder):
        for name in [*names, *dirs]:
            path = Path(current) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = b"-> " + os.fsencode(path.readlink())
            elif path.is_fifo():
                found[key] = b"fifo"
            elif path.is_file():
                found[key] = path.read_bytes()
            else:
                found[key] = b"dir"
    return found


class Hang(Exception):  # noqa: N818 - named for what it means in a test report
    """A command blocked (e.g. on a FIFO) until the alarm went off."""


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Raise Hang in this process after `seconds`: a blocking open() of a FIFO is
    interrupted (PEP 475 retries a system call only when the handler returns)."""

    def ring(_signum: int, _frame: object) -> None:
        raise Hang(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

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
    document = outside(repo) / "outside.md"
    document.write_text(FRONT.replace("title: X", f"title: {SENTINEL}") + "---\n",
                        encoding="utf-8")
    (repo.root / "procedures").mkdir(parents=True, exist_ok=True)
    (repo.root / "procedures/PROC-X.md").symlink_to(document)
    return "D101", "procedures/PROC-X.md", 1


def data_path_outside(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("KPI-X", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                      data="../../../../etc/passwd", **approved())
    line = path.read_text().splitlines().index("data: ../../../../etc/passwd") + 1
    return "D105", "qms_docs/kpis/KPI-X.md", line


def data_symlink_outside(repo: QmsRepo) -> tuple[str, str, int]:
    path = repo.write("KPI-X", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                      data="data/KPI-X.csv", **approved())
    secret = outside(repo) / "secret.csv"
    secret.write_text(f"period,value\n2026-10,{SENTINEL}\n", encoding="utf-8")
    (repo.root / "qms_docs/kpis/data").mkdir(parents=True, exist_ok=True)
    (repo.root / "qms_docs/kpis/data/KPI-X.csv").symlink_to(secret)
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


# --- issue 11, items 16 and 17: FIFOs and symlinks out of the repository ----------------

def _kpi_x(repo: QmsRepo) -> int:
    path = repo.write("KPI-X", "kpi", owner="ROLE-QM", measures=["PROC-A"], target=1.0,
                      data="data/KPI-X.csv", **approved())
    (repo.root / "qms_docs/kpis/data").mkdir(parents=True, exist_ok=True)
    return path.read_text().splitlines().index("data: data/KPI-X.csv") + 1


def _reader(repo: QmsRepo) -> None:
    """A procedure with readers, so the ledger matters (A603/A604)."""
    repo.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               applies_to=["ROLE-QM"], **approved())


LEDGER = "qms_docs/acknowledgements.csv"


def fifo_document(repo: QmsRepo) -> tuple[str, str, int]:
    (repo.root / "procedures").mkdir(parents=True, exist_ok=True)
    os.mkfifo(repo.root / "procedures/PROC-FIFO.md")
    return "D101", "procedures/PROC-FIFO.md", 1


def fifo_kpi_data(repo: QmsRepo) -> tuple[str, str, int]:
    line = _kpi_x(repo)
    os.mkfifo(repo.root / "qms_docs/kpis/data/KPI-X.csv")
    return "D105", "qms_docs/kpis/KPI-X.md", line


def kpi_data_symlink_to_fifo(repo: QmsRepo) -> tuple[str, str, int]:
    line = _kpi_x(repo)
    os.mkfifo(repo.root / "qms_docs/kpis/data/pipe")
    (repo.root / "qms_docs/kpis/data/KPI-X.csv").symlink_to("pipe")
    return "D105", "qms_docs/kpis/KPI-X.md", line


def fifo_ledger(repo: QmsRepo) -> tuple[str, str, int]:
    _reader(repo)
    os.mkfifo(repo.root / LEDGER)
    return "A604", LEDGER, 1


def ledger_symlink_outside(repo: QmsRepo) -> tuple[str, str, int]:
    _reader(repo)
    (repo.root / LEDGER).symlink_to(outside(repo) / "secret")
    return "A604", LEDGER, 1


def ledger_folder_symlinked_outside(repo: QmsRepo) -> tuple[str, str, int]:
    _reader(repo)
    folder = outside(repo)
    (folder / "acknowledgements.csv").write_text(f"{SENTINEL},1,x,2026-01-01\n",
                                                 encoding="utf-8")
    repo.write_raw("qmskit.toml", f"today = {TODAY}\n"
                   'ack_ledger = "qms_docs/ledger/acknowledgements.csv"\n')
    (repo.root / "qms_docs/ledger").symlink_to(folder)
    return "A604", "qms_docs/ledger/acknowledgements.csv", 1


def id_with_trailing_newline(repo: QmsRepo) -> tuple[str, str, int]:
    repo.write_raw("procedures/PROC-X.md", FRONT.replace("id: PROC-X", 'id: "PROC-X\\n"')
                   + "---\n")
    return "D102", "procedures/PROC-X.md", 2


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
    case_colliding_names, fifo_document, fifo_kpi_data, kpi_data_symlink_to_fifo, fifo_ledger,
    ledger_symlink_outside, ledger_folder_symlinked_outside, id_with_trailing_newline,
)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name: str, clean: QmsRepo, capsys: pytest.CaptureFixture[str]) -> None:
    canary = PLANTS["T303"](clean)
    expected = CASES[name](clean)
    beside = tree(clean.root.parent / "outside")
    started = time.perf_counter()
    with alarm(30):
        status = main(["check", str(clean.root), "--format", "json", "--today", TODAY])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert SENTINEL not in captured.out + captured.err
    assert tree(clean.root.parent / "outside") == beside
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


# --- the writers: hostile or unwritable targets (issue 11, items 16, 17, 19, 20) ---------

@dataclass
class Refusal:
    """A writer's command and what it must say; exit 2 unless `code` says otherwise."""

    args: list[str]
    message: str
    code: int = 2
    disk_full: bool = False
    after: Callable[[], None] | None = None


Writer = Callable[[QmsRepo], Refusal]


def _readers_and_data(repo: QmsRepo) -> None:
    _reader(repo)
    repo.data("KPI-A", monthly(1, 9))


def codeowners_check_symlink_outside(repo: QmsRepo) -> Refusal:
    (repo.root / ".github").mkdir()
    (repo.root / ".github/CODEOWNERS").symlink_to(outside(repo) / "secret")
    return Refusal(["codeowners", "--check"], "outside the repository")


def codeowners_symlink_outside(repo: QmsRepo) -> Refusal:
    (repo.root / ".github").mkdir()
    (repo.root / ".github/CODEOWNERS").symlink_to(outside(repo) / "secret")
    return Refusal(["codeowners"], "outside the repository")


def codeowners_output_under_a_file(repo: QmsRepo) -> Refusal:
    afile = outside(repo) / "a-file"
    afile.write_text("not a folder\n", encoding="utf-8")
    return Refusal(["codeowners", "--output", str(afile / "CODEOWNERS")], "is not a folder")


def ack_ledger_folder_symlinked_outside(repo: QmsRepo) -> Refusal:
    _reader(repo)
    repo.write_raw("qmskit.toml", f"today = {TODAY}\n"
                   'ack_ledger = "qms_docs/ledger/acknowledgements.csv"\n')
    (repo.root / "qms_docs/ledger").symlink_to(outside(repo))
    return Refusal(["ack", "PROC-R", "--as", "quality-lead"], "outside the repository")


def ack_ledger_fifo(repo: QmsRepo) -> Refusal:
    _reader(repo)
    os.mkfifo(repo.root / LEDGER)
    return Refusal(["ack", "PROC-R", "--as", "quality-lead"], "FIFO")


def kpi_record_data_fifo(repo: QmsRepo) -> Refusal:
    (repo.root / "qms_docs/kpis/data/KPI-A.csv").unlink()
    os.mkfifo(repo.root / "qms_docs/kpis/data/KPI-A.csv")
    return Refusal(["kpi", "record", "KPI-A", "96", "--period", "2026-10"], "FIFO")


def kpi_record_data_symlink_outside(repo: QmsRepo) -> Refusal:
    secret = outside(repo) / "KPI-A.csv"
    secret.write_text(f"period,value\n2026-01,{SENTINEL}\n", encoding="utf-8")
    (repo.root / "qms_docs/kpis/data/KPI-A.csv").unlink()
    (repo.root / "qms_docs/kpis/data/KPI-A.csv").symlink_to(secret)
    return Refusal(["kpi", "record", "KPI-A", "96", "--period", "2026-10"],
                   "outside the repository")


def kpi_record_beside_a_fifo_document(repo: QmsRepo) -> Refusal:
    """A FIFO elsewhere in the QMS is somebody else's problem: the record goes ahead."""
    repo.data("KPI-A", monthly(1, 9))
    os.mkfifo(repo.root / "procedures/PROC-FIFO.md")
    return Refusal(["kpi", "record", "KPI-A", "96", "--period", "2026-10"],
                   "KPI-A 2026-10 = 96", code=0)


def report_output_missing_folder(repo: QmsRepo) -> Refusal:
    def no_folder_created() -> None:
        assert not (repo.root / "missing").exists()

    return Refusal(["report", "management-review", ".", "--output", "missing/dir/MR.md"],
                   "the folder missing/dir does not exist", after=no_folder_created)


def report_output_through_a_symlink_outside(repo: QmsRepo) -> Refusal:
    (repo.root / "qms_docs/out").symlink_to(outside(repo))
    return Refusal(["report", "management-review", ".", "--output", "qms_docs/out/MR.md"],
                   "outside the repository")


def report_output_unwritable(repo: QmsRepo) -> Refusal:
    # /proc/self exists, but nobody (not even root) can create a file in it.
    return Refusal(["report", "management-review", ".", "--output",
                    "/proc/self/qmskit-MR.md"], "cannot write it")


def new_id_with_a_newline(repo: QmsRepo) -> Refusal:
    def no_newline_in_names() -> None:
        assert not [p for p in repo.root.rglob("*") if "\n" in p.name]

    return Refusal(["new", "procedure", "--id", "PROC-NL\n", "--title", "Newline"],
                   "does not match", after=no_newline_in_names)


def new_into_a_folder_symlinked_outside(repo: QmsRepo) -> Refusal:
    (repo.root / "qms_docs/risks").symlink_to(outside(repo))
    return Refusal(["new", "risk", "--title", "Supplier fails"], "outside the repository")


def _disk_full(args: list[str]) -> Writer:
    def case(repo: QmsRepo) -> Refusal:
        _readers_and_data(repo)
        return Refusal(args, "cannot write it", disk_full=True)

    return case


def config_nul_in_a_folder(repo: QmsRepo) -> Refusal:
    repo.write_raw("qmskit.toml", f'today = {TODAY}\nfolders = ["qms_docs\\u0000x"]\n')
    return Refusal(["check", "."], "NUL byte")


def config_fifo(repo: QmsRepo) -> Refusal:
    os.mkfifo(repo.root / "pipe.toml")
    return Refusal(["check", ".", "--config", "pipe.toml"], "pipe.toml")


WRITERS: dict[str, Writer] = {
    **{fn.__name__: fn for fn in (
        codeowners_check_symlink_outside, codeowners_symlink_outside,
        codeowners_output_under_a_file, ack_ledger_folder_symlinked_outside, ack_ledger_fifo,
        kpi_record_data_fifo, kpi_record_data_symlink_outside,
        kpi_record_beside_a_fifo_document, report_output_missing_folder,
        report_output_through_a_symlink_outside, report_output_unwritable,
        new_id_with_a_newline, new_into_a_folder_symlinked_outside, config_nul_in_a_folder,
        config_fifo,
    )},
    "review_disk_full": _disk_full(["review", "PROC-A", "--by", "ROLE-QM", "--date",
                                    "2026-11-20"]),
    "kpi_record_disk_full": _disk_full(["kpi", "record", "KPI-A", "96", "--period",
                                        "2026-10"]),
    "ack_disk_full": _disk_full(["ack", "PROC-R", "--as", "quality-lead"]),
    "new_disk_full": _disk_full(["new", "procedure", "--title", "Fresh start"]),
    "codeowners_disk_full": _disk_full(["codeowners"]),
    "report_disk_full": _disk_full(["report", "management-review", ".", "--output",
                                    "qms_docs/MR-NEW.md"]),
}


def _no_writes() -> None:
    """Every write to a regular file fails with EFBIG, as on a full disk (and unlike a
    read-only folder, this holds for root too)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writer_refuses_cleanly(name: str, clean: QmsRepo) -> None:
    expected = WRITERS[name](clean)
    beside = tree(clean.root.parent / "outside")
    inside = tree(clean.root)
    command = [sys.executable, "-m", "qmskit", *expected.args]
    proc = subprocess.Popen(command, cwd=clean.root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True,
                            preexec_fn=_no_writes if expected.disk_full else None)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"{' '.join(expected.args)} hung") from None
    text = out + err
    assert "Traceback" not in text, text
    assert proc.returncode == expected.code, text
    assert expected.message in (err if expected.code == 2 else out), text
    assert SENTINEL not in text
    assert tree(clean.root.parent / "outside") == beside  # nothing written outside
    if expected.code == 2:
        assert tree(clean.root) == inside  # nothing written, nothing half-written
    if expected.after is not None:
        expected.after()
