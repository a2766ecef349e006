"""Safe writes (issue 11, item 15): no lost update, no leftovers, the user's umask, links kept.

The race tests are deterministic: `qmskit.fs.race_hook` runs a real second program (a
shell appending a line, as an editor's save or a `git pull` would) at the exact moment
that matters, between qmskit's read and its rename. Without the check in `qmskit.fs`
that line is lost; with it, qmskit redoes its edit on top and both changes survive.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from qmskit import fs
from qmskit.cli import main
from qmskit.edit import edit_document

from qmsfactory import QmsRepo, approved, monthly

LEDGER = "qms_docs/acknowledgements.csv"
TEMP = re.compile(r"\..*\.qmskit-\d+-[0-9a-f]{8}\.tmp")


@pytest.fixture
def qms(clean: QmsRepo) -> QmsRepo:
    """The baseline with KPI data up to August, a procedure with readers and a ledger."""
    clean.data("KPI-A", monthly(1, 8))
    clean.write("PROC-R", "procedure", owner="ROLE-QM", supports=["OBJ-A"],
                applies_to=["ROLE-QM"], **approved())
    clean.write_raw(LEDGER, "id,version,handle,date\n")
    return clean


#: A writing command, the file it rewrites, and a line another program adds meanwhile
#: (valid for that file, so qmskit's redo can keep it).
WRITES: dict[str, tuple[list[str], str, str]] = {
    "review": (["review", "PROC-A", "--by", "ROLE-QM", "--date", "2026-11-20"],
               "procedures/PROC-A.md", "A step another program added.\n"),
    "kpi-record": (["kpi", "record", "KPI-A", "97", "--period", "2026-10"],
                   "qms_docs/kpis/data/KPI-A.csv", "2026-09,96.5\n"),
    "ack": (["ack", "PROC-R", "--as", "quality-lead", "--date", "2026-11-20"], LEDGER,
            "PROC-A,1,quality-lead,2026-11-01\n"),
    "codeowners": (["codeowners"], ".github/CODEOWNERS", "/docs/ @docs-team\n"),
}


def _append_by_another_program(path: Path, line: str) -> None:
    subprocess.run(["sh", "-c", 'printf "%s" "$1" >> "$2"', "sh", line, str(path)],
                   check=True)


@pytest.fixture
def hook() -> Iterator[Callable[[Callable[[str, str], None] | None], None]]:
    """Set `qmskit.fs.race_hook` for one test."""

    def set_hook(function: Callable[[str, str], None] | None) -> None:
        fs.race_hook = function

    yield set_hook
    fs.race_hook = None


@pytest.mark.parametrize("stage", ["check", "rename"])
@pytest.mark.parametrize("command", sorted(WRITES))
def test_a_line_written_meanwhile_is_never_lost(
    command: str, stage: str, qms: QmsRepo, capsys: pytest.CaptureFixture[str],
    hook: Callable[[Callable[[str, str], None] | None], None],
) -> None:
    """'check': the line lands after qmskit read the file, before it verifies it.
    'rename': after the verification, before the rename (caught through the old file)."""
    args, relative, line = WRITES[command]
    path = qms.root / relative
    if command == "codeowners":  # a CODEOWNERS that a new document makes out of date
        main(["codeowners", "--root", str(qms.root)])
        qms.write("PROC-NEW", "procedure", owner="ROLE-QM", supports=["OBJ-A"], **approved())
    before = path.read_text(encoding="utf-8")
    fired: list[str] = []

    def other_program(at: str, real: str) -> None:
        if at == stage and Path(real) == path.resolve() and not fired:
            fired.append(at)
            _append_by_another_program(path, line)

    hook(other_program)
    assert main([*args, "--root", str(qms.root)]) == 0, capsys.readouterr().err
    hook(None)
    assert fired
    after = path.read_text(encoding="utf-8")
    assert line in after  # the other program's line survived
    assert after != before + line  # and qmskit's change was made on top of it
    assert [p.name for p in path.parent.iterdir() if TEMP.fullmatch(p.name)] == []


def test_a_file_that_keeps_changing_is_refused_not_overwritten(
    qms: QmsRepo, capsys: pytest.CaptureFixture[str],
    hook: Callable[[Callable[[str, str], None] | None], None],
) -> None:
    path = qms.root / "procedures/PROC-A.md"
    count = [0]

    def busy_editor(at: str, real: str) -> None:
        if at == "check":
            count[0] += 1
            _append_by_another_program(path, f"Edit {count[0]} by a busy editor.\n")

    hook(busy_editor)
    code = main(["review", "PROC-A", "--by", "ROLE-QM", "--root", str(qms.root)])
    hook(None)
    assert code == 2
    assert "changed by another program" in capsys.readouterr().err
    text = path.read_text(encoding="utf-8")
    assert all(f"Edit {n} by a busy editor." in text for n in range(1, count[0] + 1))
    assert "by: ROLE-QM" not in text  # nothing of qmskit's was written over them


def test_killed_writer_leaves_no_temporary_file_after_the_next_run(qms: QmsRepo) -> None:
    path = qms.root / "procedures/PROC-A.md"
    content = path.read_bytes()
    # A real process killed at the worst moment: its new version written, not renamed.
    script = ("import os, signal\nfrom qmskit import fs\nfrom qmskit.cli import main\n"
              "fs.race_hook = lambda stage, path: os.kill(os.getpid(), signal.SIGKILL)\n"
              "main(['review', 'PROC-A', '--by', 'ROLE-QM', '--date', '2026-11-20'])\n")
    killed = subprocess.run([sys.executable, "-c", script], cwd=qms.root, check=False)
    assert killed.returncode == -signal.SIGKILL
    left = [p.name for p in path.parent.iterdir() if TEMP.fullmatch(p.name)]
    assert len(left) == 1 and path.read_bytes() == content  # the document is intact
    # Someone else's look-alikes and a temporary file of a live writer are not ours to take.
    (path.parent / ".PROC-A.md.tmp").write_text("an editor's\n", encoding="utf-8")
    (path.parent / f".PROC-A.md.qmskit-{os.getpid()}-0123abcd.tmp").write_text("live\n")
    done = subprocess.run([sys.executable, "-m", "qmskit", "review", "PROC-A", "--by",
                           "ROLE-QM", "--date", "2026-11-21"], cwd=qms.root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert left[0] not in {p.name for p in path.parent.iterdir()}
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == sorted([
        ".PROC-A.md.tmp", f".PROC-A.md.qmskit-{os.getpid()}-0123abcd.tmp"])
    assert "last: 2026-11-21" in path.read_text(encoding="utf-8")


#: Commands that create a new file (ROOT: the repository), and the file.
CREATES: dict[str, tuple[list[str], str]] = {
    "new": (["new", "procedure", "--title", "Fresh start", "--owner", "ROLE-QM", "--root",
             "ROOT"], "procedures/PROC-FRESH-START.md"),
    "new-kpi-data": (["new", "kpi", "--title", "Scrap rate", "--owner", "ROLE-QM", "--root",
                      "ROOT"], "qms_docs/kpis/data/KPI-SCRAP-RATE.csv"),
    "ack": (["ack", "PROC-R", "--as", "quality-lead", "--root", "ROOT"],
            "qms_docs/ledger/acks.csv"),
    "codeowners": (["codeowners", "--root", "ROOT"], ".github/CODEOWNERS"),
    "report": (["report", "management-review", "ROOT", "--output", "ROOT/qms_docs/MR-NEW.md"],
               "qms_docs/MR-NEW.md"),
    "kpi-record": (["kpi", "record", "KPI-B", "96", "--period", "2026-10", "--root", "ROOT"],
                   "qms_docs/kpis/data/KPI-B.csv"),
}


@pytest.mark.parametrize("umask", [0o002, 0o077])
@pytest.mark.parametrize("command", sorted(CREATES))
def test_new_files_get_the_users_umask(command: str, umask: int, qms: QmsRepo,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    qms.write_raw("qmskit.toml", 'today = 2026-11-24\n'
                  'ack_ledger = "qms_docs/ledger/acks.csv"\n')
    qms.write("KPI-B", "kpi", owner="ROLE-QM", measures=["OBJ-A"], unit="%",
              direction="higher", target=95.0, warn_at=90.0, frequency="monthly",
              data="data/KPI-B.csv", **approved())
    args, created = CREATES[command]
    previous = os.umask(umask)
    try:
        code = main([arg.replace("ROOT", str(qms.root)) for arg in args])
    finally:
        os.umask(previous)
    assert code == 0, capsys.readouterr().err
    mode = (qms.root / created).stat().st_mode & 0o777
    assert mode == 0o666 & ~umask, oct(mode)
    if command == "ack":  # the folder it needed was created with the umask too
        assert (qms.root / "qms_docs/ledger").stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_rewritten_file_keeps_its_mode(qms: QmsRepo) -> None:
    path = qms.root / "procedures/PROC-A.md"
    path.chmod(0o640)
    assert main(["review", "PROC-A", "--by", "ROLE-QM", "--root", str(qms.root)]) == 0
    assert path.stat().st_mode & 0o777 == 0o640


#: Writers whose file is a symlink to elsewhere in the repository.
LINKED: dict[str, tuple[list[str], str]] = {
    "review": (["review", "PROC-A", "--by", "ROLE-QM"], "procedures/PROC-A.md"),
    "kpi-record": (["kpi", "record", "KPI-A", "97", "--period", "2026-09"],
                   "qms_docs/kpis/data/KPI-A.csv"),
    "ack": (["ack", "PROC-R", "--as", "quality-lead"], LEDGER),
    "codeowners": (["codeowners"], ".github/CODEOWNERS"),
}


@pytest.mark.parametrize("command", sorted(LINKED))
def test_writing_an_in_repo_symlink_writes_through(command: str, qms: QmsRepo) -> None:
    args, relative = LINKED[command]
    link = qms.root / relative
    target = qms.root / "shared" / link.name
    target.parent.mkdir()
    if link.exists():
        link.rename(target)
    else:
        target.write_text("# people who review code\n/src/ @dev-team\n", encoding="utf-8")
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent))
    before = target.read_bytes()
    assert main([*args, "--root", str(qms.root)]) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_bytes() != before and target.read_bytes().startswith(
        before.split(b"\n")[0])
    assert [p for p in link.parent.iterdir() if TEMP.fullmatch(p.name)] == []


def test_writing_a_symlink_that_leads_outside_is_refused(qms: QmsRepo,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    elsewhere = qms.root.parent / "elsewhere.md"
    path = qms.root / "procedures/PROC-A.md"
    # The loader refuses to read it, so `review` never gets as far; the writer itself
    # refuses too, whoever calls it.
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    with pytest.raises(fs.PathError, match="outside the repository"):
        edit_document(path, [(("review", "last"), date(2026, 11, 1))], root=qms.root)
    assert elsewhere.read_bytes() == before and path.is_symlink()


# --- qmskit.fs directly ------------------------------------------------------------------

def test_reading_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "link.md").symlink_to("pipe.md")
    files = fs.Root(tmp_path)
    for name in ("pipe.md", "link.md"):
        with pytest.raises(fs.PathError, match=r"FIFO \(named pipe\), not a regular file"):
            files.read(name)  # the test would hang here without O_NONBLOCK and the checks


def test_inside_resolves_symlinks_and_dotdot(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (tmp_path / "secret").write_text("x", encoding="utf-8")
    (root / "docs/out").symlink_to(tmp_path)
    (root / "docs/self").symlink_to("..")
    assert fs.inside(root, root / "docs/x.md")
    assert fs.inside(root, root / "docs/self/docs/x.md")
    assert not fs.inside(root, root / "docs/out/secret")
    assert not fs.inside(root, root / "docs/../../secret")
    assert not fs.inside(root, "/etc/passwd")
    with pytest.raises(fs.PathError, match="outside the repository"):
        fs.Root(root).read("docs/out/secret")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_bytes(b"x" * 5000)
    with pytest.raises(fs.PathError, match="over the 4,096-byte limit"):
        fs.Root(tmp_path).read("big.md", 4096)


def test_create_never_overwrites_a_file_or_a_dangling_link(tmp_path: Path) -> None:
    files = fs.Root(tmp_path)
    (tmp_path / "dangling").symlink_to("nowhere")
    with pytest.raises(fs.ExistsError):
        files.create("dangling", b"data")
    assert not (tmp_path / "nowhere").exists()
    files.create("a/b/new.md", b"data", parents=True)
    with pytest.raises(fs.ExistsError):
        files.create("a/b/new.md", b"other")
    assert (tmp_path / "a/b/new.md").read_bytes() == b"data"


def test_make_dirs_never_leads_outside(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "away").mkdir()
    (root / "linked").symlink_to(tmp_path / "away")
    with pytest.raises(fs.PathError, match="outside the repository"):
        fs.Root(root).create("linked/sub/new.md", b"data", parents=True)
    assert list((tmp_path / "away").iterdir()) == []


def test_failed_create_removes_the_folders_it_made(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(fs.PathError, match="no space left on the device"):
        fs.Root(tmp_path).create("a/b/new.md", b"data", parents=True)
    assert list(tmp_path.iterdir()) == []


def test_explain_names_the_file() -> None:
    error = PermissionError(13, "Permission denied", "/srv/qms/x.md")
    assert fs.explain(error) == "/srv/qms/x.md: permission denied"


# --- the CLI's last resort ---------------------------------------------------------------

def test_an_unforeseen_os_error_is_a_message_with_exit_2(
    clean: QmsRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real one: an output under a file (no command-specific message needed)."""
    afile = clean.root.parent / "a-file"
    afile.write_text("not a folder\n", encoding="utf-8")
    code = main(["pages", str(afile / "handbook"), "--root", str(clean.root)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(afile) in err and "Traceback" not in err


def test_os_error_mapping_names_the_file(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # Root ignores file permissions, so a permission error is raised here by hand.
    import qmskit.commands.schema

    def denied(*_args: object) -> int:
        raise PermissionError(13, "Permission denied", "/srv/qms/procedures/PROC-A.md")

    monkeypatch.setattr(qmskit.commands.schema, "schema", denied)
    assert main(["schema"]) == 2
    assert capsys.readouterr().err == (
        "qmskit: error: /srv/qms/procedures/PROC-A.md: permission denied\n")
