"""Hybrid retrieval, in stages: :mod:`.query` (parse), :mod:`.lexical` (FTS5 BM25), :mod:`.dense` (FAISS),
:mod:`.fuse` (pure scoring and calibration), :mod:`.searcher` (one read transaction per question)."""

from ..scope import Scope
from .query import Query, parse, split_filters
from .results import Result, SearchResponse
from .searcher import CANDIDATES, MODES, Searcher

__all__ = ["CANDIDATES", "MODES", "Query", "Result", "Scope", "SearchResponse", "Searcher", "parse", "split_filters"]
