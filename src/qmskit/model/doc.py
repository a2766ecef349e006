"""A controlled document as loaded: validated front matter, body and positions.

The unit every rule, report and page speaks about. It lives in the model, below
everything else, so that nothing has to import the loader to name a document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qmskit.model.documents import COMMON_LINKS, Document
from qmskit.model.frontmatter import FrontMatter, FrontMatterError, KeyPath, Position, parse


@dataclass
class Doc:
    """A controlled document as loaded: its validated front matter, body and positions.

    Positions and body are loaded lazily: a check needs them only for the few documents
    it reports on, so the fast path neither records nor keeps them (see `frontmatter`).
    """

    path: str
    model: Document
    source: str
    body_line: int
    _positions: dict[KeyPath, Position] | None = None
    _key_positions: dict[KeyPath, Position] | None = None
    _body: str | None = None
    _links: list[tuple[str, int, str]] | None = None
    #: For a record kept as a row of a register: the register's id (`path` is then the
    #: register's CSV table, and positions are its cells; see `qmskit.registers`).
    register: str | None = None
    #: The fields a register row takes from its register (status, version, review, ...).
    inherited: frozenset[str] = frozenset()

    def _load_source(self) -> None:
        try:
            text = Path(self.source).read_bytes().decode("utf-8-sig", "replace")
            fm = parse(text, positions=True)
        except (OSError, FrontMatterError):
            # The file changed or vanished since it was loaded: fall back to no positions
            # rather than failing the whole report.
            fm = FrontMatter(self.model.model_dump(), "", self.body_line)
        self._positions, self._key_positions = fm.positions, fm.key_positions
        if self._body is None:
            self._body = fm.body or ""

    @property
    def positions(self) -> dict[KeyPath, Position]:
        """Line and column of every front-matter value, by key path."""
        if self._positions is None:
            self._load_source()
        assert self._positions is not None
        return self._positions

    @property
    def key_positions(self) -> dict[KeyPath, Position]:
        """Line and column of every front-matter key, by key path."""
        if self._key_positions is None:
            self._load_source()
        assert self._key_positions is not None
        return self._key_positions

    @property
    def body(self) -> str:
        """The Markdown after the front matter."""
        if self._body is None:
            self._load_source()
        assert self._body is not None
        return self._body

    @property
    def id(self) -> str:
        """The stable document id, e.g. PROC-PURCH."""
        return self.model.id

    @property
    def kind(self) -> str:
        """The document kind (strategy, objective, procedure, ...)."""
        return self.model.kind

    @property
    def title(self) -> str:
        """The human title."""
        return self.model.title

    @property
    def status(self) -> str:
        """draft, approved or retired."""
        return self.model.status

    def pos(self, *path: str | int) -> Position:
        """Line and column of a front-matter value, falling back to its key, then `id`."""
        key: KeyPath = tuple(path)
        while key:
            if key in self.positions:
                return self.positions[key]
            if key in self.key_positions:
                return self.key_positions[key]
            key = key[:-1]
        return self.key_positions.get(("id",), (2, 1))

    def key_pos(self, name: str) -> Position:
        """Where a field's key is written (for "missing"/"unexpected" findings)."""
        return self.key_positions.get((name,)) or self.pos("id")

    def links(self) -> list[tuple[str, int, str]]:
        """Every outgoing link as (field, index, target id); `review.by` is one field.

        Computed once per document: the graph and several rules all walk the links.
        """
        if self._links is None:
            self._links = list(self._iter_links())
        return self._links

    def _iter_links(self) -> Iterator[tuple[str, int, str]]:
        for name in (*type(self.model).links, *COMMON_LINKS):
            if name == "review.by":
                value: object = self.model.review.by if self.model.review else None
            else:
                value = getattr(self.model, name, None)
            if isinstance(value, str):
                yield name, -1, value
            elif isinstance(value, list):
                for index, target in enumerate(value):
                    yield name, index, target

    def link_pos(self, name: str, index: int) -> Position:
        """Position of the link `name[index]` (index -1 for a single-valued field)."""
        parts: tuple[str | int, ...] = tuple(name.split("."))
        return self.pos(*parts, index) if index >= 0 else self.pos(*parts)
