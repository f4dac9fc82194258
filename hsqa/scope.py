"""What a question is restricted to: documents and/or years. One type for the search, the CLI and the app.

Documents are named two ways: ``sources`` (file paths relative to the corpus, with their titles) are what a
conversation keeps, because they survive re-indexing; ``doc_ids`` (index row ids) are what a search filters
on, resolved from the sources against the current index just before searching.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scope:
    """Restricts a search: documents (by id and/or by path) and/or years."""

    doc_ids: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  #: document path -> title (stable across re-indexing)

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.years or self.sources)

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def document(cls, path: str, title: str) -> "Scope":
        return cls(sources={path: title}).relabelled()

    @classmethod
    def of_years(cls, years: set[int]) -> "Scope":
        return cls(years=set(years)).relabelled()

    def relabelled(self) -> "Scope":
        """The same scope with labels made from its fields: ``doc:<whole title>``, ``year:2007``."""
        labels = [f"doc:{title or path}" for path, title in sorted(self.sources.items(), key=lambda kv: kv[1] or kv[0])]
        if self.years:
            labels.append(f"year:{_years_label(self.years)}")
        return Scope(set(self.doc_ids), set(self.years), labels, dict(self.sources))

    def overridden_by(self, other: "Scope") -> "Scope":
        """This scope with ``other``'s documents and years taking the place of its own where given."""
        sources = dict(other.sources) if other.sources else dict(self.sources)
        years = set(other.years) if other.years else set(self.years)
        return Scope(set(), years, [], sources).relabelled()

    def merged(self, other: "Scope | None") -> "Scope":
        if not other:
            return Scope(set(self.doc_ids), set(self.years), list(self.labels), dict(self.sources))
        return Scope(
            self.doc_ids | other.doc_ids,
            self.years | other.years,
            self.labels + [x for x in other.labels if x not in self.labels],
            {**self.sources, **other.sources},
        )

    # -- showing and keeping -----------------------------------------------------------------------
    def describe(self) -> str:
        return ", ".join(self.labels)

    def as_json(self) -> dict:
        return {"sources": dict(sorted(self.sources.items())), "years": sorted(self.years), "labels": list(self.labels)}

    @classmethod
    def from_json(cls, data: dict | None) -> "Scope":
        data = data or {}
        sources = data.get("sources") or {}
        if isinstance(sources, list):
            sources = {p: p for p in sources}
        return cls(set(), {int(y) for y in data.get("years") or ()}, list(data.get("labels") or ()), dict(sources))


def _years_label(years: set[int]) -> str:
    ys = sorted(years)
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    return ",".join(str(y) for y in ys)
