"""Issue 11, hostile input and faults (items 14-20): the second bad-input catalogue.

Each case proves one of: no data lost (tracked files compared byte for byte), nothing
outside the repository read, written or printed (a sentinel that lives only outside the
repository), no hang (a real process with a time limit), and a clear message with exit 1
(a located finding) or 2 (usage, configuration, environment), never a traceback.

Every test fails on the main branch it was written against and is marked
`xfail(strict=True)` until its item is fixed.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hostile import (
    SENTINEL,
    FolderWatch,
    Run,
    assert_clean_failure,
    cli,
    committed,
    files_containing,
    located,
    outside,
    run,
    snapshot,
)

from plants import PLANTS
from qmsfactory import TODAY, QmsRepo, approved, git, init_git, monthly

#: A FIFO blocks whoever opens it for reading; on a small QMS a finished command takes
#: well under a second, so this is a hang.
FIFO_SECONDS = 4.0

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="inotify and /proc are Linux-only")


def _no_traceback(result: Run) -> None:
    assert "Traceback" not in result.text, result.text


# --- 14. `qmskit pages OUT --force` never deletes or overwrites the repository ---------

def _repo_with_site_sources(root: Path) -> QmsRepo:
    repo = QmsRepo(root).baseline()
    repo.write_raw("docs/guide.md", "# Guide\n\nA tracked page outside the QMS folders.\n")
    repo.write_raw("qms_docs/index.md", "# Handbook\n")
    repo.write_raw("mkdocs.yml", "site_name: Handbook\ndocs_dir: qms_docs\n"
                   "plugins:\n  - search\n  - qmskit\n")
    repo.write_raw("handbook/mkdocs.yml", "site_name: Committed output\n")
    repo.write_raw("handbook/docs/old.md", "# Committed by someone, tracked by git\n")
    (repo.root / "here").symlink_to(".")  # a symlink to the repository itself, committed
    init_git(repo.root)
    return repo


#: OUT spellings that are, or are inside, the repository's own sources.
PAGES_OUT = {
    "dotdot-back-into-repo": "qms_docs/..",
    "parent-then-repo": "../repo",
    "symlink-to-dot": "here",
    "inside-qms-docs": "qms_docs/handbook",
    "inside-procedures": "procedures/handbook",
    "tracked-by-git": "handbook",
}


@pytest.mark.parametrize("case", sorted(PAGES_OUT))
def test_pages_force_never_touches_the_repository(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo_with_site_sources(tmp_path / "repo")
    before = snapshot(repo.root)
    monkeypatch.chdir(repo.root)
    result = cli(["pages", PAGES_OUT[case], "--force"], capsys)
    assert_clean_failure(result, 2)
    assert snapshot(repo.root) == before  # nothing deleted, overwritten or added
    assert git(repo.root, "status", "--porcelain") == ""


# --- 15. Lost updates, temporary files, modes, symlinks ---------------------------------

def _long_procedure(tmp_path: Path) -> tuple[QmsRepo, Path]:
    """The baseline with PROC-A made long (1.4 MB, under max_file_size) and committed.

    Writing and syncing a new version of it takes long enough that whatever a test does
    when qmskit touches the file (append a line, kill the process) lands inside qmskit's
    read-to-rename window, however slowly the test process is scheduled.
    """
    repo = committed(tmp_path / "repo")
    doc = repo.root / "procedures/PROC-A.md"
    doc.write_text(doc.read_text(encoding="utf-8")
                   + "A long procedure, one line of many, written out in full.\n" * 25000,
                   encoding="utf-8")
    git(repo.root, "commit", "-qam", "A long procedure", date="2026-02-01")
    return repo, doc


@linux_only
def test_review_keeps_lines_written_by_another_program_meanwhile(tmp_path: Path) -> None:
    repo, doc = _long_procedure(tmp_path)
    appended: list[int] = []

    def other_writer(mask: int, name: str) -> None:
        # Whenever someone has just read the document, another program (an editor's
        # save, a `git pull`) appends a line. A few times only, so a retry can win.
        if name == doc.name and len(appended) < 8:
            appended.append(len(appended) + 1)
            with doc.open("a", encoding="utf-8") as handle:
                handle.write(f"Line {appended[-1]} from another program.\n")

    watch = FolderWatch(doc.parent, FolderWatch.CLOSE_NOWRITE, other_writer)
    try:
        result = run(["review", "PROC-A", "--by", "ROLE-QM", "--date", "2026-11-20"],
                     repo.root, timeout=30)
    finally:
        watch.close()
    _no_traceback(result)
    assert result.code in (0, 2), result.text  # retried and stamped, or refused
    assert appended, "the other program never ran"
    text = doc.read_text(encoding="utf-8")
    lost = [n for n in appended if f"Line {n} from another program." not in text]
    assert lost == [], f"lines lost: {lost}"


@linux_only
def test_killed_writer_leaves_no_temporary_file_after_the_next_run(tmp_path: Path) -> None:
    repo, doc = _long_procedure(tmp_path)
    review = [sys.executable, "-m", "qmskit", "review", "PROC-A", "--by", "ROLE-QM"]
    # What a normal run leaves in the folder (a lock file, say): the baseline to compare.
    assert run([*review[3:], "--date", "2026-11-19"], repo.root).code == 0
    normal = sorted(p.name for p in doc.parent.iterdir())
    content = doc.read_bytes()
    proc: subprocess.Popen[bytes] | None = None
    killed: list[str] = []

    def kill_on_create(mask: int, name: str) -> None:
        if name != doc.name and proc is not None and not killed:
            os.killpg(proc.pid, signal.SIGKILL)  # killed mid-write, as by the OOM killer
            killed.append(name)

    watch = FolderWatch(doc.parent, FolderWatch.CREATE, kill_on_create)
    try:
        proc = subprocess.Popen([*review, "--date", "2026-11-20"], cwd=repo.root,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        proc.wait(timeout=30)
    finally:
        watch.close()
    if killed:  # the document itself is intact: the old version or the whole new one
        now = doc.read_bytes()
        assert now == content or (b"last: 2026-11-20" in now and now.endswith(b"full.\n"))
    _backdate(doc.parent)  # the next run comes later: leftovers are clearly stale by then
    after = run([*review[3:], "--date", "2026-11-21"], repo.root)
    assert after.code == 0, after.text
    assert sorted(p.name for p in doc.parent.iterdir()) == normal


def _umask_002() -> None:
    os.umask(0o002)


#: Commands that create a new file, and the file they create.
CREATORS: dict[str, tuple[list[str], str]] = {
    "new": (["new", "procedure", "--title", "Fresh start", "--owner", "ROLE-QM"],
            "procedures/PROC-FRESH-START.md"),
    "ack": (["ack", "PROC-R", "--as", "quality-lead"], "qms_docs/acknowledgements.csv"),
    "codeowners": (["codeowners"], ".github/CODEOWNERS"),
    "report": (["report", "management-review", ".", "--output", "qms_docs/MR-NEW.md"],
               "qms_docs/MR-NEW.md"),
    "kpi-record": (["kpi", "record", "KPI-B", "96", "--period", "2026-10"],
                   "qms_docs/kpis/data/KPI-B.csv"),
}


@pytest.mark.parametrize("command", sorted(CREATORS))
def test_new_files_get_the_users_umask(command: str, tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    repo.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               applies_to=["ROLE-QM"], **approved())
    repo.write("KPI-B", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%",
               direction="higher", target=95.0, warn_at=90.0, frequency="monthly",
               data="data/KPI-B.csv", **approved())
    args, created = CREATORS[command]
    assert not (repo.root / created).exists()
    result = run(args, repo.root, preexec=_umask_002)
    assert result.code in (0, 1), result.text  # 1: the new KPI has no data before this
    mode = (repo.root / created).stat().st_mode & 0o777
    assert mode == 0o664, oct(mode)


#: Writers, and the in-repo file they write, which is a symlink for this test.
SYMLINKED: dict[str, tuple[list[str], str]] = {
    "review": (["review", "PROC-A", "--by", "ROLE-QM", "--date", "2026-11-20"],
               "procedures/PROC-A.md"),
    "kpi-record": (["kpi", "record", "KPI-A", "96", "--period", "2026-10"],
                   "qms_docs/kpis/data/KPI-A.csv"),
}


@pytest.mark.parametrize("command", sorted(SYMLINKED))
def test_writing_an_in_repo_symlink_keeps_the_link(command: str, tmp_path: Path) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.data("KPI-A", monthly(1, 9))
    args, relative = SYMLINKED[command]
    link = repo.root / relative
    target = repo.root / "shared" / link.name
    target.parent.mkdir()
    link.rename(target)
    link.symlink_to(os.path.relpath(target, link.parent))
    init_git(repo.root)
    before = target.read_bytes()
    result = run(args, repo.root)
    _no_traceback(result)
    assert link.is_symlink(), "the link was replaced by a plain file"
    if result.code == 0:  # written through to the target
        assert target.read_bytes() != before
    else:  # or refused, leaving the target alone
        assert result.code == 2, result.text
        assert target.read_bytes() == before


# --- 16. Reading, printing and writing outside the repository through symlinks ---------

@pytest.mark.parametrize("mode", ["check", "write"])
def test_codeowners_symlinked_outside(mode: str, tmp_path: Path) -> None:
    secret = outside(tmp_path) / "secret"
    secret_before = secret.read_bytes()
    repo = committed(tmp_path / "repo")
    (repo.root / ".github").mkdir()
    (repo.root / ".github/CODEOWNERS").symlink_to(secret)
    result = run(["codeowners", "--check"] if mode == "check" else ["codeowners"], repo.root)
    _no_traceback(result)
    assert SENTINEL not in result.text
    assert result.code in ((1, 2) if mode == "check" else (2,)), result.text
    assert files_containing(repo.root, SENTINEL) == []  # not copied in
    assert secret.read_bytes() == secret_before  # nor written out there


def _ledger_outside(tmp_path: Path) -> tuple[QmsRepo, Path]:
    folder = outside(tmp_path) / "ledger"
    folder.mkdir()
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write_raw("qmskit.toml", f"today = {TODAY}\n"
                   'ack_ledger = "qms_docs/ledger/acknowledgements.csv"\n')
    repo.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               applies_to=["ROLE-QM"], **approved())
    return repo, folder


def test_ack_writes_nothing_outside_through_a_symlinked_ledger_folder(tmp_path: Path) -> None:
    repo, folder = _ledger_outside(tmp_path)
    (repo.root / "qms_docs/ledger").symlink_to(folder)
    init_git(repo.root)
    result = run(["ack", "PROC-R", "--as", "quality-lead"], repo.root)
    assert_clean_failure(result, 2)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("link", ["folder", "file"])
def test_ledger_symlinked_outside_is_not_printed(link: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    repo, folder = _ledger_outside(tmp_path)
    (folder / "acknowledgements.csv").write_text((folder.parent / "secret").read_text())
    if link == "folder":
        (repo.root / "qms_docs/ledger").symlink_to(folder)
    else:
        (repo.root / "qms_docs/ledger").mkdir()
        (repo.root / "qms_docs/ledger/acknowledgements.csv").symlink_to(
            folder / "acknowledgements.csv")
    for output_format in ("text", "json", "github", "sarif", "junit"):
        result = cli(["check", str(repo.root), "--format", output_format, "--no-cache"],
                     capsys)
        assert SENTINEL not in result.text, output_format


def test_qms_folder_symlinked_outside_is_not_read(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = outside(tmp_path) / "procedures"
    elsewhere.mkdir()
    (elsewhere / "PROC-OUT.md").write_text(
        "---\nid: PROC-OUT\nkind: procedure\ntitle: Outside\nowner: ROLE-QM\n"
        f"status: draft\nsupports: [{SENTINEL}]\n---\n", encoding="utf-8")
    repo = QmsRepo(tmp_path / "repo").baseline()
    (repo.root / "procedures/PROC-A.md").rename(elsewhere / "PROC-A.md")
    (repo.root / "procedures").rmdir()
    (repo.root / "procedures").symlink_to(elsewhere)
    result = cli(["check", str(repo.root), "--format", "json", "--no-cache"], capsys)
    _no_traceback(result)
    assert SENTINEL not in result.text
    assert "PROC-OUT" not in result.text
    assert result.code in (1, 2), result.text  # refused: a finding or an error, not silence


@pytest.mark.parametrize("name", ["logo.png", "notes.txt"])
def test_pages_does_not_publish_files_from_outside(name: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    secret = outside(tmp_path) / "secret"
    repo = QmsRepo(tmp_path / "repo").baseline()
    (repo.root / "qms_docs/assets").mkdir()
    (repo.root / "qms_docs/assets" / name).symlink_to(secret)
    out = tmp_path / "handbook"
    result = cli(["pages", str(out), "--root", str(repo.root)], capsys)
    _no_traceback(result)
    assert SENTINEL not in result.text
    published = [p for p in out.rglob("*") if p.is_file() and SENTINEL.encode() in p.read_bytes()]
    assert published == []


# --- 17. FIFOs where files are expected --------------------------------------------------

#: Where the FIFO is, the command that must finish, and where a finding about it may be
#: located (a KPI's data problem is located at the KPI's `data:` line or in the file).
FIFOS: dict[str, tuple[str, list[str], tuple[str, ...]]] = {
    "document-check": ("procedures/PROC-FIFO.md", ["check", "."],
                       ("procedures/PROC-FIFO.md",)),
    "kpi-data-check": ("qms_docs/kpis/data/KPI-A.csv", ["check", "."],
                       ("qms_docs/kpis/data/KPI-A.csv", "qms_docs/kpis/KPI-A.md")),
    "ledger-check": ("qms_docs/acknowledgements.csv", ["check", "."],
                     ("qms_docs/acknowledgements.csv",)),
    "document-kpi-record": ("procedures/PROC-FIFO.md",
                            ["kpi", "record", "KPI-A", "96", "--period", "2026-10"], ()),
    "kpi-data-kpi-record": ("qms_docs/kpis/data/KPI-A.csv",
                            ["kpi", "record", "KPI-A", "96", "--period", "2026-10"], ()),
    "ledger-ack": ("qms_docs/acknowledgements.csv", ["ack", "PROC-R", "--as", "quality-lead"],
                   ()),
}


@pytest.mark.parametrize("case", sorted(FIFOS))
def test_fifo_instead_of_a_file_does_not_hang(case: str, tmp_path: Path) -> None:
    relative, args, locations = FIFOS[case]
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.data("KPI-A", monthly(1, 9))
    repo.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               applies_to=["ROLE-QM"], **approved())
    fifo = repo.root / relative
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    result = run(args, repo.root, timeout=FIFO_SECONDS)
    _no_traceback(result)
    if args[0] == "check":
        assert result.code in (1, 2), result.text
        assert result.code == 2 or any(located(result.out, p) for p in locations), result.text
    elif relative.startswith("procedures/"):
        # An unrelated broken document: recording may go ahead or be refused.
        assert result.code in (0, 2), result.text
    else:
        assert_clean_failure(result, 2)
    assert fifo.is_fifo()  # and left alone


# --- 18. Silent wrong answers ---------------------------------------------------------------

def _json_check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    result = cli(["check", str(root), "--format", "json", "--today", TODAY, *extra], capsys)
    _no_traceback(result)
    report: dict[str, Any] = json.loads(result.out)
    return report


def _backdate(root: Path) -> None:
    """Make every file an hour old, so no cache can call it too fresh to trust."""
    old = time.time() - 3600
    for path in root.rglob("*"):
        if ".git" not in path.relative_to(root).parts:
            os.utime(path, (old, old))


def test_hidden_kpi_data_cached_result_equals_no_cache(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    kpi = repo.root / "qms_docs/kpis/KPI-A.md"
    kpi.write_text(kpi.read_text(encoding="utf-8").replace("data: data/KPI-A.csv",
                                                           "data: .data/KPI-A.csv"))
    data = repo.write_raw("qms_docs/kpis/.data/KPI-A.csv", monthly())
    (repo.root / "qms_docs/kpis/data/KPI-A.csv").unlink()
    init_git(repo.root)
    _backdate(repo.root)
    assert _json_check(repo.root, capsys)["findings"] == []
    for edit in (monthly(1, 10, 50.0), "period,value\n2026-01,x\n"):
        data.write_text(edit, encoding="utf-8")
        warm = _json_check(repo.root, capsys)
        cold = _json_check(repo.root, capsys, "--no-cache")
        assert warm == cold


#: Rows appended as line 11 of KPI-A's data (monthly, 2026-01 to 2026-10 before them).
BAD_ROWS = {
    "decimal-comma": "2026-10,61,9",
    "underscore": "2026-10,7_0",
    "arabic-indic-digits": "2026-10,٧٠",
    "future-period": "2062-10,96",
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_kpi_rows_are_findings(case: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.data("KPI-A", monthly(1, 9) + BAD_ROWS[case] + "\n")
    result = cli(["check", str(repo.root), "--no-cache", "--no-colour"], capsys)
    _no_traceback(result)
    assert re.search(r"^qms_docs/kpis/data/KPI-A\.csv:11:\d+: [A-Z]\d+ ", result.out,
                     flags=re.MULTILINE), result.out
    # Not a number is an error (D105); a period decades ahead is at least a warning.
    assert result.code == 1 or (case == "future-period" and result.code == 0), result.text


def test_kpi_record_refuses_unicode_digits(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    data = repo.data("KPI-A", monthly(1, 9))
    result = cli(["kpi", "record", "KPI-A", "٧٠", "--period", "2026-10",
                  "--root", str(repo.root)], capsys)
    assert_clean_failure(result, 2)
    assert data.read_text(encoding="utf-8") == monthly(1, 9)


def test_corrupt_git_index_is_not_silent(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    init_git(repo.root, date="2026-07-01")
    doc = repo.root / "procedures/PROC-A.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nAn uncommitted step.\n")
    (repo.root / ".git/index").write_bytes(b"not an index" * 8)
    result = cli(["check", str(repo.root), "--no-cache", "--no-colour"], capsys)
    _no_traceback(result)
    # C403 is still found, or the run says that git could not read the index.
    assert (located(result.out, "procedures/PROC-A.md", "C403") or result.code == 2
            or "index" in result.text.lower()), result.text


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to give the repository to another user")
def test_dubious_ownership_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    init_git(repo.root, date="2026-07-01")
    for path in [repo.root, *repo.root.rglob("*")]:
        os.lchown(path, 65534, 65534)  # git now refuses the repository (safe.directory)
    result = cli(["check", str(repo.root), "--no-cache", "--no-colour"], capsys)
    _no_traceback(result)
    assert "not a git repository" not in result.text
    assert re.search(r"dubious|ownership|safe\.directory", result.text), result.text


@pytest.mark.parametrize("case", ["misspelt", "missing"])
def test_folders_that_hold_no_document_are_not_green(case: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    if case == "misspelt":
        repo.write_raw("qmskit.toml", f"today = {TODAY}\n"
                       'folders = ["qms_doc", "procedure", "objective"]\n')
    else:  # the documents live elsewhere and `folders` is not set: defaults find nothing
        handbook = repo.root / "handbook"
        handbook.mkdir()
        for name in ("qms_docs", "procedures", "objectives"):
            (repo.root / name).rename(handbook / name)
    result = cli(["check", str(repo.root), "--no-cache"], capsys)
    _no_traceback(result)
    assert result.code in (1, 2), result.text
    assert "folder" in result.text.lower()


def _make_fifo(path: Path) -> None:
    os.mkfifo(path)


CONFIG_FILES: dict[str, Callable[[Path], None]] = {
    "dangling-symlink": lambda path: path.symlink_to("nowhere.toml"),
    "folder": lambda path: path.mkdir(),
    "fifo": _make_fifo,
}


@pytest.mark.parametrize("case", sorted(CONFIG_FILES))
def test_unusable_config_file_is_an_error(case: str, tmp_path: Path) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    config = repo.root / "qmskit.toml"
    config.unlink()
    CONFIG_FILES[case](config)
    result = run(["check", "."], repo.root, timeout=FIFO_SECONDS)
    assert_clean_failure(result, 2)
    assert "qmskit.toml" in result.err


def test_whitespace_only_title_is_d102(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write_raw("procedures/PROC-BLANK.md", "---\nid: PROC-BLANK\nkind: procedure\n"
                   "title: '   '\nowner: ROLE-QM\nstatus: draft\nsupports: [OBJ-A]\n---\n")
    findings = _json_check(repo.root, capsys, "--no-cache")["findings"]
    assert ("D102", 4) in {(f["code"], f["line"]) for f in findings
                           if f["path"] == "procedures/PROC-BLANK.md"}, findings


def test_case_colliding_file_names_are_a_finding(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write("PROC-PROD", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    repo.write("PROC-PACK", "procedure", filename="proc-prod.md", owner="ROLE-QM",
               supports=["OBJ-A"], **approved())
    findings = _json_check(repo.root, capsys, "--no-cache")["findings"]
    paths = {f["path"] for f in findings}
    assert paths & {"procedures/PROC-PROD.md", "procedures/proc-prod.md"}, findings


def test_cache_setting_must_be_a_boolean(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write_raw("qmskit.toml", f'today = {TODAY}\ncache = "yes"\n')
    result = cli(["check", str(repo.root)], capsys)
    assert_clean_failure(result, 2)
    assert "cache" in result.err


# --- 19. Tracebacks instead of messages ------------------------------------------------------

def _far_review_last(repo: QmsRepo) -> str:
    repo.write("PROC-FAR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               **approved(review={"last": "9999-12-01", "interval": "12 months"}))
    return "procedures/PROC-FAR.md"


def _far_interval(repo: QmsRepo) -> str:
    repo.write("PROC-FAR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               **approved(review={"last": "2026-06-01", "interval": "8000 years"}))
    return "procedures/PROC-FAR.md"


def _far_approval_with_readers(repo: QmsRepo) -> str:
    repo.write("PROC-FAR", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
               applies_to=["ROLE-QM"], **approved(approved_on="9999-12-20"))
    repo.write_raw("qms_docs/acknowledgements.csv", "id,version,handle,date\n")
    return "procedures/PROC-FAR.md"


def _far_week(repo: QmsRepo) -> str:
    repo.write("KPI-WEEK", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%",
               direction="higher", target=95.0, warn_at=90.0, frequency="weekly",
               data="data/KPI-WEEK.csv", **approved())
    repo.data("KPI-WEEK", "period,value\n2026-W46,96\n9999-W52,96\n")
    return "qms_docs/kpis/data/KPI-WEEK.csv"


FAR_DATES: dict[str, Callable[[QmsRepo], str]] = {
    "review-last-9999": _far_review_last,
    "interval-8000-years": _far_interval,
    "approved-on-9999-with-readers": _far_approval_with_readers,
    "period-9999-W52": _far_week,
}


@pytest.mark.parametrize("case", sorted(FAR_DATES))
def test_dates_near_the_end_of_the_calendar_do_not_crash(case: str, tmp_path: Path) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    canary = PLANTS["T303"](repo)  # an unrelated defect that must still be reported
    FAR_DATES[case](repo)
    result = run(["check", ".", "--no-cache", "--no-colour"], repo.root)
    _no_traceback(result)
    assert result.code == 1, result.text
    assert located(result.out, canary.path, canary.code), result.out
    assert "documents checked" in result.out


@pytest.mark.parametrize(("case", "setting", "key"), [
    ("review-window-9999-years", 'review_window = "9999 years"', "review_window"),
    ("nul-in-folder", 'folders = ["qms_docs\\u0000x", "procedures", "objectives"]', "folders"),
])
def test_unusable_config_values_are_config_errors(case: str, setting: str, key: str,
                                                  tmp_path: Path) -> None:
    repo = QmsRepo(tmp_path / "repo").baseline()
    repo.write_raw("qmskit.toml", f"today = {TODAY}\n{setting}\n")
    result = run(["check", "."], repo.root)
    assert_clean_failure(result, 2)
    assert key in result.err


def test_diff_with_a_missing_git_object(tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    doc = repo.root / "procedures/PROC-A.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nA new step.\n", encoding="utf-8")
    git(repo.root, "commit", "-qam", "Add a step", date="2026-09-01")
    blob = git(repo.root, "rev-parse", "HEAD:procedures/PROC-A.md").strip()
    (repo.root / ".git/objects" / blob[:2] / blob[2:]).unlink()  # a damaged clone
    result = run(["diff", "HEAD~1", "HEAD"], repo.root)
    assert_clean_failure(result, 2)


def _disk_full() -> None:
    """Every write to a regular file fails with EFBIG, as on a full disk (works as root,
    unlike a read-only folder)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


#: Writers whose output cannot be written.
UNWRITABLE: dict[str, list[str]] = {
    "pages-disk-full": ["pages", "OUT"],
    "pages-under-a-file": ["pages", "AFILE/handbook"],
    "report-disk-full": ["report", "management-review", ".", "--output",
                         "qms_docs/reviews/MR-NEW.md"],
    "review-disk-full": ["review", "PROC-A", "--by", "ROLE-QM", "--date", "2026-11-20"],
    "kpi-record-disk-full": ["kpi", "record", "KPI-A", "96", "--period", "2026-10"],
    "new-disk-full": ["new", "procedure", "--title", "Fresh start", "--owner", "ROLE-QM"],
    "codeowners-under-a-file": ["codeowners", "--output", "AFILE/CODEOWNERS"],
}


@pytest.mark.parametrize("case", sorted(UNWRITABLE))
def test_unwritable_output_is_a_clear_error(case: str, tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    if case.startswith("kpi-record"):  # room for the October value
        repo.data("KPI-A", monthly(1, 9))
        git(repo.root, "commit", "-qam", "KPI data up to September", date="2026-10-05")
    afile = tmp_path / "a-file"
    afile.write_text("not a folder\n", encoding="utf-8")
    args = [a.replace("OUT", str(tmp_path / "handbook")).replace("AFILE", str(afile))
            for a in UNWRITABLE[case]]
    tracked = snapshot(repo.root)
    result = run(args, repo.root, preexec=_disk_full if case.endswith("disk-full") else None)
    assert_clean_failure(result, 2)
    assert snapshot(repo.root) == tracked  # nothing half-written


@linux_only
def test_pdf_to_an_unwritable_path_fails_fast(tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    # A browser that would take a minute: only a check made before building is fast.
    chromium = tmp_path / "slow-chromium"
    chromium.write_text('#!/bin/sh\ncase "$1" in --version) echo "Chromium 156.0"; exit 0;; '
                        "esac\nsleep 60\n", encoding="utf-8")
    chromium.chmod(0o755)
    # /proc/self exists but nobody, not even root, can create a file in it.
    result = run(["pdf", "/proc/self/qmskit-manual.pdf", "--chromium", str(chromium)],
                 repo.root, timeout=10)
    assert_clean_failure(result, 2)


# --- 20. Bad ids and paths from the writers ---------------------------------------------------

def test_new_refuses_an_id_with_a_newline(tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    result = run(["new", "procedure", "--id", "PROC-NL\n", "--title", "Newline"], repo.root)
    assert_clean_failure(result, 2)
    assert not [p for p in repo.root.rglob("*") if "\n" in p.name]


def test_report_output_does_not_create_folders(tmp_path: Path) -> None:
    repo = committed(tmp_path / "repo")
    result = run(["report", "management-review", ".", "--output", "missing/dir/MR.md"],
                 repo.root)
    assert_clean_failure(result, 2)
    assert not (repo.root / "missing").exists()
