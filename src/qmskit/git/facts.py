"""Changed since review (C403), precisely: has a document's content changed since the
commit that recorded its current review stamp?

A document is suspect when its content changed in a commit after the commit that
recorded its current review stamp, or in the work tree since then. The *content* is the
front matter without the stamp fields (`review`, `version`, `approved_by`, `approved_on`,
`approved_version`) plus the body, so commits that only stamp a review or an approval never
make a document suspect. The stamp is `review.last`, or `approved_on` when no review is
recorded.

The one definition, used by the rule and by `qmskit review` (which raises the version
exactly when the content changed since the last review). For each document with stamp
day L, the candidates are its changes committed on or after L (the stamp commit is
committed on or after the stamp, even when the stamp is back-dated):

- none: nothing was committed since the review;
- one, committed on L: it is the stamp commit (or a change of the review day);
- otherwise the blobs are read (one `cat-file --batch` for every document): the newest
  change whose result carries the stamp while the file before it did not is the stamp
  commit (a file without front matter before it, e.g. a page that adopts qmskit with
  past review dates, makes it the baseline). Without one the review day's last change,
  else the file as it was before the candidates, is what was reviewed. The content
  then is compared with the content now.

The work tree counts too: a file with uncommitted changes is compared with what was
reviewed, except when its stamp itself is uncommitted (a fresh `qmskit review`): the
review is being recorded with the file as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

from qmskit.model.frontmatter import FrontMatterError, parse

#: Front-matter fields a review or approval stamps; changing them is not a content change.
STAMP_FIELDS = frozenset({"review", "version", "approved_by", "approved_on",
                          "approved_version"})


@dataclass(frozen=True)
class Content:
    """What a review covers, read from one version of a file."""

    stamp: str | None
    version: Any
    matter: tuple[Any, str] | None  # (front matter without stamp fields, body)


def content_of(text: str | bytes | None) -> Content | None:
    """The reviewed content of a file's text; None for a missing or unreadable file."""
    if text is None:
        return None
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        front = parse(text.removeprefix("\ufeff"), positions=False)
    except FrontMatterError:
        return Content(None, None, None)
    data = front.data
    body = (front.body or "").replace("\r\n", "\n")
    if not isinstance(data, dict):
        return Content(None, None, (None, body))
    review = data.get("review")
    stamp = (review.get("last") if isinstance(review, dict) else None) or data.get("approved_on")
    matter = {key: value for key, value in data.items() if key not in STAMP_FIELDS}
    return Content(None if stamp is None else str(stamp), data.get("version"), (matter, body))


class Candidate(NamedTuple):
    """A commit that changed a document on or after its review stamp's day, with the
    document's blob before and after it (None: it did not exist). A NamedTuple: one is
    made for every document of the QMS."""

    commit: str
    committed: date
    before: str | None
    after: str | None


State = Literal["reviewed", "changed", "uncommitted", "stamp-uncommitted", "not-committed"]


@dataclass(frozen=True)
class Verdict:
    """Whether a document's content changed since its current review stamp."""

    state: State
    stamp: date
    #: The first content change after the review (state "changed").
    change: Candidate | None = None
    #: The commit whose version was reviewed, when the history names one.
    reviewed_commit: str | None = None
    #: The `version` of the reviewed content (what `qmskit review` compares with).
    reviewed_version: Any = None

    @property
    def suspect(self) -> bool:
        """True when the current content has not been reviewed."""
        return self.state in ("changed", "uncommitted")


@dataclass
class ReviewFacts:
    """Verdicts per document path; `available` False (with a reason) without usable
    history, in which case nothing is known."""

    available: bool
    reason: str = ""
    verdicts: dict[str, Verdict] = field(default_factory=dict)


#: Reads many blobs by id with one `cat-file --batch`.
Blobs = Callable[[Sequence[str]], Mapping[str, bytes | None]]


def _needs_blobs(stamp: date, candidates: Sequence[Candidate]) -> bool:
    return bool(candidates) and not (len(candidates) == 1 and candidates[0].committed == stamp)


def judge(stamps: Mapping[str, date], candidates: Mapping[str, Sequence[Candidate]],
          uncommitted: Mapping[str, str | None], read_text: Callable[[str], str | None],
          blobs: Blobs, *, everyone: bool = True) -> dict[str, Verdict]:
    """The verdict for every document in `stamps` (path -> review stamp day); without
    `everyone`, only for those that need more than a look at their commit dates (the
    others were reviewed as they are).

    `candidates`: per path, the commits that changed it on or after its stamp's day,
    newest first; `uncommitted`: paths changed in the work tree or index -> their blob at
    HEAD (None when new); `read_text` reads a file of the work tree; `blobs` reads many
    blobs at once.
    """
    wanted: set[str] = set()
    for path, stamp in stamps.items():
        found = candidates.get(path, ())
        if _needs_blobs(stamp, found):
            for candidate in found:
                wanted.update(b for b in (candidate.before, candidate.after) if b)
        if path in uncommitted:
            head = uncommitted[path]
            if head:
                wanted.add(head)
    read = blobs(sorted(wanted)) if wanted else {}
    contents: dict[str | None, Content | None] = {None: None}

    def content(blob: str | None) -> Content | None:
        if blob not in contents:
            contents[blob] = content_of(read.get(blob)) if blob else None
        return contents[blob]

    verdicts = {}
    for path, stamp in stamps.items():
        found = candidates.get(path, ())
        if everyone or path in uncommitted or _needs_blobs(stamp, found):
            verdicts[path] = _verdict(path, stamp, list(found), uncommitted, read_text,
                                      content)
    return verdicts


def _verdict(path: str, stamp: date, found: list[Candidate],
             uncommitted: Mapping[str, str | None], read_text: Callable[[str], str | None],
             content: Callable[[str | None], Content | None]) -> Verdict:
    mark = str(stamp)

    head_content: Content | None = None
    if path in uncommitted:
        head_blob = uncommitted[path]
        if head_blob is None:
            return Verdict("not-committed", stamp)
        head_content = content(head_blob)
        if head_content is None or head_content.stamp != mark:
            return Verdict("stamp-uncommitted", stamp)

    # What was reviewed: a blob (None: the file as it is at HEAD), and its commit.
    reviewed_blob: str | None = None
    reviewed_commit: str | None = None
    later: list[Candidate] = []  # committed after the reviewed version, newest first
    if _needs_blobs(stamp, found):
        position = next((i for i, c in enumerate(found)
                         if (then := content(c.after)) is not None and then.stamp == mark
                         and ((prior := content(c.before)) is None or prior.stamp != mark)),
                        None)
        if position is None:
            position = next((i for i, c in enumerate(found) if c.committed == stamp), None)
        if position is not None:
            reviewed_blob, reviewed_commit = found[position].after, found[position].commit
            later = found[:position]
        else:
            reviewed_blob, later = found[-1].before, found
            if content(reviewed_blob) is None and later:
                # The file did not exist before the candidates (created without carrying
                # the stamp, e.g. renamed): its first version is the baseline.
                reviewed_blob, reviewed_commit = later[-1].after, later[-1].commit
                later = later[:-1]
    elif found:
        reviewed_commit = found[0].commit

    reviewed = content(reviewed_blob) if reviewed_blob else None
    first_change = None
    if reviewed is not None:
        for candidate in reversed(later):
            changed = content(candidate.after)
            if changed is None or changed.matter != reviewed.matter:
                first_change = candidate
                break
    version = reviewed.version if reviewed is not None else None

    if path in uncommitted:
        now = content_of(read_text(path))
        baseline = reviewed if reviewed is not None else head_content
        if now is not None and baseline is not None and now.matter == baseline.matter:
            return Verdict("reviewed", stamp, None, reviewed_commit, baseline.version)
        if first_change is not None:
            return Verdict("changed", stamp, first_change, reviewed_commit, version)
        return Verdict("uncommitted", stamp, None, reviewed_commit,
                       baseline.version if baseline is not None else None)
    if reviewed is not None and first_change is not None:
        head = content(found[0].after)
        if head is None or head.matter != reviewed.matter:
            return Verdict("changed", stamp, first_change, reviewed_commit, version)
    return Verdict("reviewed", stamp, None, reviewed_commit, version)
