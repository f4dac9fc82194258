"""The engine: one index, one embedding model and the search over them, shared by the CLI and the app.

It knows nothing of conversations: it answers one question under a :class:`~hsqa.scope.Scope`, reads
documents for the viewer, re-indexes, and says whether a paragraph cited earlier is still in the index
as it was (citations are kept as *source path, paragraph number, hash of the paragraph's text*, never
as row ids, which change whenever a file is re-indexed).

Methods are safe to call from worker threads (each thread gets its own SQLite connection).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from .answer import Answer, annotate, citation, citation_date
from .chunking import text_hash
from .config import Config
from .embedding import Embedder, make_embedder
from .errors import HsqaError, IndexMissing
from .indexer import IndexReport, Indexer, Progress, Staleness, outdated, staleness
from .scope import Scope
from .search import Result, SearchResponse, Searcher, split_filters
from .search.names import countries_named
from .search.query import FILTER, resolve_filters
from .store import Store
from .store.schema import MigrationProgress
from .text import STOPWORDS, query_terms

#: weight of a follow-up's search within the documents the previous answer cited, against its search
#: everywhere with the carried-over words (1: the same)
NEAR_WEIGHT = 1.0
#: a follow-up that asks for more ("Tell me more", "Why?") searches this many passages of the cited documents
#: for the one after the previous answer's
FOLLOW_ON_K = 40
#: reciprocal-rank constant of the merge of a follow-up's two searches (their lists are k long: a small one,
#: so that rank matters)
MERGE_K = 10


def content_terms(text: str) -> list[str]:
    """The words of ``text`` that are not stopwords (query_terms keeps them all when nothing else is left)."""
    return [t for t in query_terms(text) if t.lower() not in STOPWORDS]


def paragraph_key(text: str) -> str:
    """Hash of a paragraph's words: whitespace-only edits (re-wrapping, blank lines) keep the key."""
    return text_hash(" ".join(text.split()))[:20]


@dataclass
class IndexStatus:
    documents: int
    passages: int
    model: str
    stale: Staleness
    #: what of the index's making this hsqa does differently ('' if nothing: :func:`hsqa.indexer.outdated`)
    outdated: str = ""


@dataclass
class DocParagraph:
    number: int
    section: str
    text: str
    heading: str | None = None  #: a heading that starts here (shown above the paragraph)
    page: int | None = None  #: PDF: the page where the paragraph starts


@dataclass
class DocumentView:
    doc_id: int
    path: str
    title: str
    date: str | None
    place: str | None
    paragraphs: list[DocParagraph]
    warning: str | None = None  #: e.g. the file changed or vanished since it was indexed
    date_end: str | None = None


@dataclass
class Located:
    """Where a cited paragraph is now. ``state``: same, moved (renumbered or in a renamed file), changed
    (its text is no longer in the document: ``paragraph`` is the same number in the current version),
    gone (the document left the index)."""

    state: str
    source: str
    paragraph: int
    doc_id: int | None = None


@dataclass
class Reply:
    """One answered question, as plain data (plus the search objects, for the CLI's printing)."""

    question: str  #: the question without its filter words
    mode: str
    results: list[dict]  #: :meth:`Result.as_json` rows, plus ``para_hash`` and ``date_end``
    answer: dict | None  #: {"sentence", "rank"}
    relevant: bool
    scope: Scope
    note: str | None = None  #: e.g. the scoped document left the index
    response: SearchResponse | None = field(default=None, repr=False)
    best: Answer | None = field(default=None, repr=False)


class Engine:
    def __init__(self, config: Config, embedder: Embedder | None = None, lexical_only: bool = False):
        self.config = config
        #: no embedder at all for keyword-only use (``hsqa ask --mode lexical``): nothing to load
        self.embedder = None if lexical_only else (embedder or make_embedder(config.model))
        self.model_ready = self.embedder is not None and self.embedder.ready
        self.model_error: str | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()
        #: doc_id -> (generation, {number: (key, words)}): paragraph hashes and whitespace-collapsed texts
        self._paras: dict[int, tuple[int, dict[int, tuple[str, str]]]] = {}
        #: source -> ((size, mtime_ns), words): a changed file's text as it reads now (:meth:`check_files`)
        self._files: dict[str, tuple[tuple[int, int], str]] = {}
        self._reported_skips: dict[str, tuple] = {}

    # -- index --------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(self.config, self.embedder)
            return self._searcher

    def open_index(self, migration: MigrationProgress | None = None) -> IndexStatus:
        """Open the index (raises :class:`IndexMissing` / :class:`ModelMismatch` with clear messages). An index
        made by an older hsqa is upgraded first, step by step told to ``migration``."""
        if not self.config.db_path.exists():
            raise IndexMissing(
                f"no index at {self.config.index_dir}/ yet: press ctrl+r to build it from {self.config.corpus_dir}/"
            )
        self.upgrade_index(migration)
        return self.status()

    def upgrade_index(self, migration: MigrationProgress | None = None) -> bool:
        """Run the schema migrations of an index made by an older hsqa now, telling ``migration`` each step;
        False when there was nothing to do."""
        if self._searcher is not None:
            return False  # already open, hence already upgraded
        return Store(self.config, readonly=True).upgrade(migration)

    def status(self) -> IndexStatus:
        s = self.searcher
        s.refresh()
        docs, passages = s.store.counts()
        info = s.store.info()
        return IndexStatus(docs, passages, s.model_name, self.staleness(), outdated(info) if info is not None else "")

    def staleness(self) -> Staleness:
        try:
            return staleness(self.config, self.searcher.store)
        except HsqaError:
            return Staleness()

    def reindex(self, progress: Progress | None = None) -> IndexReport:
        report = Indexer(self.config, self.embedder, progress).run(wait=True)
        self.searcher.refresh()
        return report

    def new_skips(self, report: IndexReport) -> list[dict]:
        """The skipped files of ``report`` not reported before in their current state (reason, size, mtime)."""
        out = []
        for s in report.skipped:
            try:
                st = os.stat(self.config.corpus_dir / s["path"])
                sig = (s["reason"], st.st_size, st.st_mtime_ns)
            except OSError:
                sig = (s["reason"], None, None)
            if self._reported_skips.get(s["path"]) != sig:
                self._reported_skips[s["path"]] = sig
                out.append(s)
        return out

    def documents(self) -> list[dict]:
        return [
            {
                "id": d["id"],
                "path": d["path"],
                "title": d["title"],
                "date": d["date"],
                "date_end": d["date_end"],
                "passages": d["n_chunks"],
            }
            for d in self.searcher.store.documents()
        ]

    # -- model ------------------------------------------------------------------------------------
    def load_model(self) -> None:
        """Load the embedding model (~0.5 s with its ONNX export; the first time ~10 s). Failure leaves
        lexical mode on."""
        if self.embedder is None:
            return
        try:
            self.embedder.load()
            self.model_ready = True
        except HsqaError as e:
            self.model_error = str(e)
            raise

    # -- questions ----------------------------------------------------------------------------
    def parse(self, text: str) -> tuple[str, Scope]:
        """Split typed text into the question and the scope its ``doc:`` / ``year:`` words name."""
        rest, filters = split_filters(text)
        if not filters:
            return rest, Scope()
        docs = self.searcher.documents
        found = resolve_filters([(m.group(1).lower(), m.group(2).strip('"')) for m in FILTER.finditer(filters)], docs.values())
        sources = {docs[i]["path"]: docs[i]["title"] for i in found.doc_ids if i in docs}
        return rest, Scope(years=set(found.years), sources=sources).relabelled()

    def resolve(self, scope: Scope | None) -> Scope | None:
        """``scope`` with ``doc_ids`` of its sources in the current index (None when it restricts nothing)."""
        if not scope:
            return None
        docs = self.searcher.documents
        ids = {i for i, d in docs.items() if d["path"] in scope.sources}
        return Scope(ids | set(scope.doc_ids), set(scope.years), list(scope.labels), dict(scope.sources))

    def ask(
        self,
        question: str,
        scope: Scope | None = None,
        k: int | None = None,
        context: list[str] = (),
        prefer: set[str] = frozenset(),
        mode: str | None = None,
        names: list[str] = (),
        near_weight: float | None = None,
        quote_context: list[str] | None = None,
        near_question: str | None = None,
        after: tuple[str, int] | None = None,
        answered_in: str | None = None,
    ) -> Reply:
        """Answer ``question`` (hybrid when the model is ready, lexical before) under ``scope``.

        ``context``: words carried over from earlier turns (a follow-up); they join the search but weigh
        less than the question's own words in choosing the quoted sentence (``quote_context``, when given,
        is what the quote treats as carried instead). ``prefer``: document paths whose passages are lifted
        (the documents the previous answer cited); ``names``: the carried names, searched with the question;
        ``near_question``: what to search for in the preferred documents, when not the question itself (the new
        part of an ellipsis: "Egypt" for "And Egypt?", read as a whole question everywhere else); ``after``:
        (source, paragraph) of the previous answer, whose next paragraph a follow-up asking for more leads with;
        ``answered_in``: the document the previous answer was quoted from, whose sentences the quote prefers.
        """
        k = k or self.config.k
        mode = mode or ("hybrid" if self.model_ready else "lexical")
        scope = scope or Scope()
        resolved = self.resolve(scope)
        if scope.sources and not self._ids_of(scope.sources):
            note = "the scoped document is no longer in the index: clear the scope (ctrl+g) or re-index"
            return Reply(question, mode, [], None, False, scope, note)
        if prefer:
            weight = NEAR_WEIGHT if near_weight is None else near_weight
            resp = self._follow_up(question, context, names, prefer, resolved, k, mode, weight, near_question, after)
        else:
            resp = self.searcher.search(question, k=k, mode=mode, scope=resolved)
        carried = list(context) if quote_context is None else list(quote_context)
        best = annotate(resp, self.searcher, question=question, context=carried, same_document=answered_in)
        self.searcher.lead_with(resp, best.result if best else None)
        results = [self._cited(r) for r in resp.results]
        answer = {"sentence": best.sentence, "rank": best.result.rank} if best else None
        return Reply(question, resp.mode, results, answer, resp.any_relevant, scope, None, resp, best)

    def _follow_up(
        self,
        question: str,
        context,
        names,
        prefer: set[str],
        scope: Scope | None,
        k: int,
        mode: str,
        weight: float,
        near_question: str | None = None,
        after: tuple[str, int] | None = None,
    ) -> SearchResponse:
        """A follow-up searches twice: its own words within the documents the previous answer cited
        ("Which agencies are implementing it?" in the Aral Sea fund's news item), and its words with the
        carried-over ones everywhere (the answer may be in another document: a list of participants).
        The two lists are merged by rank (:func:`merge_ranked`), the first weighing ``weight``."""
        ids = self._ids_of(prefer)
        if scope is not None and scope.doc_ids:
            ids &= scope.doc_ids
        years = set(scope.years) if scope is not None else set()
        # the countries a passage must name are those the question names, or else the previous question's:
        # never the carried names of an earlier answer ("Japan" of the co-chairs, for "What did Canada say?")
        countries = countries_named(question) or countries_named(" ".join(context))
        wide = self.searcher.search(" ".join([question, *(names or context)]), k=k, mode=mode, scope=scope,
                                    countries=countries)
        if not ids:
            return wide
        # its own words, unless too few to search with ("Why?", "When was that?")
        own = question if len(content_terms(question)) >= 2 else " ".join([*context, question])
        own = near_question or own
        near = self.searcher.search(own, k=k if after is None else max(k, FOLLOW_ON_K), mode=mode, scope=Scope(ids, years),
                                    countries=countries)
        merged = merge_ranked([(_follow_on(near.results, after)[:k], weight), (wide.results, 1.0)])
        for i, r in enumerate(merged[:k], 1):
            r.rank = i
        return SearchResponse(wide.query, wide.mode, merged[:k], wide.scope, wide.qvec)

    def ask_text(self, text: str, k: int | None = None, mode: str | None = None) -> Reply:
        """``text`` as typed (filters included): what ``hsqa ask`` does."""
        question, scope = self.parse(text)
        return self.ask(question, scope, k, mode=mode)

    def check_files(self, reply: Reply, stale: Staleness) -> Reply:
        """``reply`` with every passage from a file changed or deleted since the last index checked against the
        file as it is now: one no longer in it is marked ``"in_file": false``, and an answer quoted from it is
        withdrawn (with a note): nothing is quoted as verbatim that is no longer in its file."""
        touched = set(stale.changed) | set(stale.deleted)
        gone = {r["rank"] for r in reply.results if r["source"] in touched and not self._still_in_file(r["source"], r["text"])}
        if not gone:
            return reply
        for r in reply.results:
            if r["rank"] in gone:
                r["in_file"] = False
        if reply.answer and reply.answer["rank"] in gone:
            reply.note = (f"the passage that answered ([{reply.answer['rank']}]) is no longer in its file, which "
                          "changed since the last index: run 'hsqa index'")
            reply.answer, reply.best = None, None
        return reply

    def _still_in_file(self, source: str, text: str) -> bool:
        return " ".join(text.split()) in self._file_words(source)

    def _file_words(self, source: str) -> str:
        """A corpus file's text as extracted now, whitespace collapsed ('' when it is gone or unreadable); read
        again only when its size or modification time changed (``hsqa ask --questions`` asks many)."""
        from .documents import DocumentError, load_document

        path = self.config.corpus_dir / source
        try:
            st = path.stat()
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            return ""
        hit = self._files.get(source)
        if hit is None or hit[0] != stamp:
            try:
                doc, _ = load_document(path, source, self.config.max_file_bytes)
                words = " ".join(doc.text.split())
            except DocumentError:
                words = ""
            hit = self._files[source] = (stamp, words)
        return hit[1]

    def _ids_of(self, sources) -> set[int]:
        return {i for i, d in self.searcher.documents.items() if d["path"] in sources}

    def _cited(self, r: Result) -> dict:
        d = r.as_json()
        doc = self.searcher.documents.get(r.doc_id)
        d["date_end"] = doc["date_end"] if doc is not None else None
        para = self._paragraphs(r.doc_id).get(r.paragraph)
        d["para_hash"] = para[0] if para else None
        return d

    def _paragraphs(self, doc_id: int) -> dict[int, tuple[str, str]]:
        gen = self.searcher.refresh()
        hit = self._paras.get(doc_id)
        if hit is not None and hit[0] == gen:
            return hit[1]
        paras = {}
        for p in self.searcher.store.paragraphs(doc_id):
            words = " ".join(p["text"].split())
            paras[p["number"]] = (paragraph_key(words), words)
        self._paras[doc_id] = (gen, paras)
        return paras

    # -- citations kept from earlier answers -----------------------------------------------------------
    def locate(self, result: dict) -> Located:
        """Where the paragraph ``result`` cited is in the current index (see :class:`Located`)."""
        docs = self.searcher.documents
        source, number = result["source"], result["paragraph"]
        doc_id = next((i for i, d in docs.items() if d["path"] == source), None)
        match = _matcher(result)
        if doc_id is not None:
            paras = self._paragraphs(doc_id)
            if number in paras and match(paras[number]):
                return Located("same", source, number, doc_id)
            n = next((n for n, p in paras.items() if match(p)), None)
            if n is not None:
                return Located("moved", source, n, doc_id)
        for other, d in docs.items():  # renamed, or moved to another file
            if other != doc_id:
                n = next((n for n, p in self._paragraphs(other).items() if match(p)), None)
                if n is not None:
                    return Located("moved", d["path"], n, other)
        if doc_id is not None:
            return Located("changed", source, number, doc_id)
        return Located("gone", source, number, None)

    def locate_all(self, results: list[dict]) -> list[Located]:
        return [self.locate(r) for r in results]

    def open_citation(self, result: dict, cited: list[dict]) -> tuple[DocumentView, list[int], int]:
        """The document to show for a card: its view, the paragraphs the answer cited there, where to start."""
        here = self.locate(result)
        if here.doc_id is None:
            raise HsqaError(
                f"{result['source']} is no longer in the index (removed from the corpus); "
                "the card keeps the text as it was quoted"
            )
        view = self.document_view(here.doc_id)
        others = [self.locate(r) for r in cited]
        numbers = sorted({o.paragraph for o in others if o.doc_id == here.doc_id and o.state in ("same", "moved")})
        if here.state == "changed":
            note = f"¶{result['paragraph']} changed since this answer; this is the current version"
            view.warning = f"{note}. {view.warning}" if view.warning else note
        elif here.state == "moved" and here.paragraph != result["paragraph"]:
            where = "" if here.source == result["source"] else f" of {here.source}"
            note = f"the cited paragraph is now ¶{here.paragraph}{where}"
            view.warning = f"{note}. {view.warning}" if view.warning else note
        return view, numbers, here.paragraph

    # -- documents ------------------------------------------------------------------------------
    def document_view(self, doc_id: int) -> DocumentView:
        store = self.searcher.store
        d = store.document(doc_id)
        if d is None:
            raise HsqaError("that document is no longer in the index (it was removed or re-indexed)")
        heads = {h["start"]: h["title"] for h in store.headings(doc_id)}
        head_starts = sorted(heads)
        paras = []
        hi = 0
        for p in store.paragraphs(doc_id):
            heading = None
            while hi < len(head_starts) and head_starts[hi] < p["start"]:
                heading = heads[head_starts[hi]]
                hi += 1
            paras.append(DocParagraph(p["number"], p["section"], p["text"], heading, p["page"]))
        warning = None
        path = self.config.corpus_dir / d["path"]
        try:
            st = path.stat()
            if (st.st_size, st.st_mtime_ns) != (d["size"], d["mtime_ns"]):
                warning = f"{d['path']} changed on disk since it was indexed; showing the indexed text"
        except OSError as e:
            warning = f"cannot read {d['path']} ({e.strerror}); showing the indexed text"
        return DocumentView(doc_id, d["path"], d["title"], d["date"], d["place"], paras, warning, d["date_end"])

    # -- sharing ----------------------------------------------------------------------------------
    @staticmethod
    def citation_text(result: dict) -> str:
        return citation(result_from(result), date_end=result.get("date_end"))


def _matcher(result: dict):
    """Predicate on a paragraph's ``(key, words)``: is it the paragraph ``result`` quoted?"""
    want = result.get("para_hash")
    if want:
        return lambda p: p[0] == want
    # a citation saved before paragraph hashes were kept: its quoted words must still be in the paragraph
    quoted = " ".join(result["text"].split())
    return lambda p: quoted in p[1]


def _follow_on(results: list[Result], after: tuple[str, int] | None) -> list[Result]:
    """``results`` led by the paragraph after ``after`` (source, paragraph) when they hold it: "Tell me more"
    goes on where the previous answer stopped."""
    if after is None:
        return results
    source, paragraph = after
    nxt = [r for r in results if r.source == source and r.paragraph == paragraph + 1]
    out = nxt + [r for r in results if r not in nxt]
    for i, r in enumerate(out, 1):
        r.rank = i
    return out


def merge_ranked(lists: list[tuple[list[Result], float]]) -> list[Result]:
    """Several searches' results as one list, by weighted reciprocal rank (their scores are not comparable:
    a search with the carried-over words scores higher than one with the follow-up's few own words); a
    passage found by several counts for each. Ties: the earlier list first."""
    best: dict[tuple[int, int], list] = {}
    for order, (results, weight) in enumerate(lists):
        for r in results:
            key = (r.doc_id, r.paragraph)
            entry = best.setdefault(key, [0.0, order, r])
            entry[0] += weight / (MERGE_K + r.rank)
    return [e[2] for e in sorted(best.values(), key=lambda e: (-e[0], e[1], e[2].rank))]


def result_from(d: dict) -> Result:
    return Result(**{k: v for k, v in d.items() if k in Result.__dataclass_fields__})


__all__ = [
    "DocParagraph",
    "DocumentView",
    "Engine",
    "IndexStatus",
    "Located",
    "Reply",
    "citation_date",
    "paragraph_key",
    "result_from",
]
