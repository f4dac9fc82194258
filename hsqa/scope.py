"""The one scope type shared by the CLI, the app and search: which documents and years a question covers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scope:
    """Restricts a search to documents (by id) and/or meeting years; ``labels`` name the filters that made it."""

    doc_ids: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.years)

    def merged(self, other: "Scope | None") -> "Scope":
        """Both restrictions at once (labels of both, in order)."""
        if not other:
            return self
        if not self:
            return other
        return Scope(self.doc_ids | other.doc_ids, self.years | other.years, self.labels + other.labels)
