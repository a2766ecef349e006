"""The git repository around a QMS: where it is, revisions, trees, blobs, the work tree's
state, and the one place that writes commits.

Every question is answered with few git processes: one `rev-parse` finds the top, the
QMS root's prefix, the git directory, whether the clone is shallow and HEAD at once;
`qmskit diff` reads both sides of a change with one `ls-tree` per revision and one
`cat-file --batch` for every blob, without touching the work tree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qmskit.fs import PathError, read_regular
from qmskit.git.run import GitError, NotARepositoryError, cat_file, run


@dataclass(frozen=True)
class TreeEntry:
    """One file of a revision, as `git ls-tree -l` lists it."""

    mode: str
    sha: str
    size: int
    path: str  # relative to the repository top


@dataclass(frozen=True)
class Snapshot:
    """The commit a copy of the QMS is made from, and whether the work tree differs."""

    commit: str
    day: str
    dirty: bool

    def label(self) -> str:
        """`abc1234567 (2026-11-20)`, with a warning when the work tree differs."""
        if not self.commit:
            return "not under version control"
        text = f"{self.commit[:10]} ({self.day})"
        return text + ", with uncommitted changes" if self.dirty else text


#: A repository's config file larger than this is not read (it is a few lines).
MAX_CONFIG = 1_000_000
_SECTION = re.compile(r'^\s*\[\s*(?P<section>[\w.-]+)(?:\s+"(?P<sub>(?:[^"\\]|\\.)*)")?\s*\]')
# `url = VALUE`, VALUE quoted or up to an unquoted comment (`#` or `;`).
_URL_LINE = re.compile(r'^\s*url\s*=\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<plain>[^#;]*))', re.I)


def _lines(done_stdout: bytes) -> list[str]:
    return done_stdout.decode("utf-8", "surrogateescape").split("\n")


@dataclass(frozen=True)
class GitRepo:
    """The repository containing a QMS root.

    `prefix` is the root relative to the top (`""` or `"sub/dir/"`), `git_dir` the
    common git directory (shared by worktrees), `head` the full hash of HEAD (`""`
    before the first commit).
    """

    top: Path
    prefix: str
    git_dir: Path
    shallow: bool
    head: str

    @classmethod
    def at(cls, root: Path) -> GitRepo:
        """The repository around `root`, with one git call; GitError (with a message that
        says what to do) when there is none, git is missing or refuses to read it."""
        done = run(root, "rev-parse", "--path-format=absolute", "--show-toplevel",
                   "--show-prefix", "--git-common-dir", "--is-shallow-repository", "HEAD",
                   check=False)
        lines = _lines(done.stdout)
        if len(lines) >= 5 and lines[0]:
            head = lines[4].strip()
            if not done.ok:
                # Before the first commit rev-parse echoes "HEAD" and fails on it alone.
                if head != "HEAD":
                    raise done.error()
                head = ""
            return cls(Path(lines[0]), lines[1].strip(), Path(lines[2].strip()),
                       lines[3].strip() == "true", head)
        error = done.error()
        if isinstance(error, NotARepositoryError):
            raise NotARepositoryError(f"{root}: not inside a git repository") from None
        raise error

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run git in the top folder; a failure becomes a GitError with git's message."""
        return run(self.top, *args, stdin=stdin).stdout

    def remote_url(self, name: str = "origin") -> str | None:
        """The URL of a remote as the repository's own config file writes it (None when
        there is none, or the file cannot be read). It may hold credentials: callers
        derive from it and never print it.

        Read from `GIT_DIR/config` rather than asked of `git config`: a site build already
        runs every git process it needs, and the `[remote "NAME"] url = ...` line is all
        this needs (no includes, no `insteadOf` rewriting).
        """
        try:
            raw = read_regular(os.path.realpath(self.git_dir / "config"), MAX_CONFIG)
        except PathError:
            return None
        inside = False
        for line in raw.decode("utf-8", "replace").splitlines():
            header = _SECTION.match(line)
            if header:
                inside = (header["section"].lower() == "remote"
                          and header["sub"] is not None
                          and header["sub"].replace('\\"', '"') == name)
                continue
            value = _URL_LINE.match(line) if inside else None
            if value:
                return (value["quoted"] if value["quoted"] is not None
                        else value["plain"].strip()) or None
        return None

    def commit(self, rev: str) -> str:
        """The full hash of a revision; GitError naming the revision when it is unknown."""
        if rev.startswith("-"):
            raise GitError(f"{rev!r} is not a git revision")
        done = run(self.top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}",
                   check=False)
        if not done.ok:
            raise GitError(f"unknown git revision {rev!r}; fetch it first (in CI: "
                           "`fetch-depth: 0`)")
        return done.stdout.decode().strip()

    def tree(self, commit: str) -> list[TreeEntry]:
        """Every regular file of `commit` under the QMS root (symlinks and submodules are
        left out: they could point outside the repository).

        A file whose object is missing from the repository (a damaged or partial clone;
        `ls-tree -l` prints its size as `BAD`) is a GitError that names it.
        """
        args = ["ls-tree", "-r", "-l", "-z", "--full-tree", commit]
        if self.prefix:
            args += ["--", self.prefix]
        entries = []
        for record in self.run(*args).decode("utf-8", "surrogateescape").split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            parts = meta.split()
            if len(parts) != 4:
                raise GitError(f"git ls-tree printed an unexpected line for {path!r}")
            mode, kind, sha, size = parts
            if kind != "blob" or mode not in ("100644", "100755"):
                continue
            if not size.isdigit():
                raise GitError(f"{path} at commit {commit[:10]}: git cannot read this file "
                               f"(object {sha[:10]} is missing); the repository may be a "
                               "partial or damaged clone: run `git fsck`, or fetch it again")
            entries.append(TreeEntry(mode, sha, int(size), path))
        return entries

    def cat(self, specs: Sequence[str]) -> list[bytes | None]:
        """Contents of many objects (`sha` or `rev:path`) from one `git cat-file --batch`;
        None for a missing one."""
        return cat_file(self.top, specs)

    def snapshot(self, folders: Sequence[str]) -> Snapshot:
        """HEAD's commit and day, and whether the QMS folders differ from it."""
        if not self.head:
            return Snapshot("", "", False)
        shown = _lines(run(self.top, "show", "-s", "--no-show-signature", "--format=%cs",
                           self.head).stdout)
        status = run(self.top, "status", "--porcelain", "--",
                     *(self.prefix + f.strip("/") for f in folders or ["."])).stdout
        return Snapshot(self.head, shown[0].strip(), bool(status.strip()))

    # --- writing commits -----------------------------------------------------------------

    def commit_paths(self, paths: Sequence[Path], subject: str,
                     trailers: Sequence[str]) -> str:
        """Commit exactly `paths` (other staged changes stay staged); return the new commit.

        The message is the subject, a blank line and the trailers. GitError when there
        is nothing to commit or git refuses (for instance a missing identity): the
        message says what to do.
        """
        names = [str(p) for p in paths]
        added = run(self.top, "add", "--", *names, check=False, writes=True)
        if not added.ok:
            raise GitError(f"git add failed: {added.stderr}")
        staged = run(self.top, "diff", "--cached", "--quiet", "--", *names, check=False)
        if staged.ok and self.head:
            raise GitError("nothing to commit: the files are unchanged since the last commit")
        message = subject + "\n\n" + "\n".join(trailers) + "\n"
        done = run(self.top, "commit", "-q", "-F", "-", "--", *names,
                   stdin=message.encode(), check=False, writes=True)
        if not done.ok:
            error = done.stderr or done.stdout.decode("utf-8", "replace").strip()
            raise GitError(f"git commit failed: {error}")
        return run(self.top, "rev-parse", "HEAD").stdout.decode().strip()


def require_work_tree(root: Path) -> GitRepo:
    """The repository around `root`; GitError unless `root` is in a git work tree (checked
    before an edit that is to be committed)."""
    try:
        return GitRepo.at(root)
    except GitError as error:
        raise GitError(f"{root}: not a git work tree ({error}), so --commit cannot record "
                       "the signature; commit by hand with the trailers printed") from None


def commit_paths(root: Path, paths: Sequence[Path], subject: str,
                 trailers: Sequence[str]) -> str:
    """Commit exactly `paths` of the repository around `root` (see `GitRepo.commit_paths`)."""
    return require_work_tree(root).commit_paths(paths, subject, trailers)


def parse_status(output: bytes, prefix: str) -> dict[str, str | None]:
    """Files changed in the index or work tree since HEAD, from `git status
    --porcelain=v2 -z`: root-relative path -> its blob at HEAD (None when HEAD has no
    such file)."""
    changed: dict[str, str | None] = {}
    null = {"0" * 40, "0" * 64}
    for record in output.decode("utf-8", "surrogateescape").split("\0"):
        kind = record[:2]
        if kind == "1 ":
            # 1 XY sub mH mI mW hH hI path
            fields = record.split(" ", 8)
            if len(fields) != 9:
                continue
            head_blob, path = fields[6], fields[8]
        elif kind == "u ":
            # u XY sub m1 m2 m3 mW h1 h2 h3 path: stage 2 is ours, i.e. HEAD's.
            fields = record.split(" ", 10)
            if len(fields) != 11:
                continue
            head_blob, path = fields[8], fields[10]
        else:
            continue
        if path.startswith(prefix):
            changed[path[len(prefix):]] = None if head_blob in null else head_blob
    return changed


def tracked_under(path: Path) -> list[str]:
    """Files git tracks at or below `path` (which need not exist), in whichever repository
    holds it, as git's index lists them (committed or staged); [] outside any repository.

    `qmskit pages --force` asks before it replaces anything: nothing git tracks may be
    deleted or overwritten by generated output. A repository git refuses to read (a
    corrupt index, "dubious ownership") raises a GitError rather than answering "none".
    """
    anchor = path
    while not anchor.is_dir() and anchor != anchor.parent:
        anchor = anchor.parent
    spec = os.path.relpath(path, anchor)
    try:
        done = run(anchor, "--literal-pathspecs", "ls-files", "-z", "--", spec)
    except NotARepositoryError:
        return []
    except GitError as error:
        if "not installed" in str(error):
            return []  # no git: nothing here can be known to be tracked
        raise GitError(f"{path}: cannot tell whether git tracks files there ({error})"
                       ) from None
    return [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]
