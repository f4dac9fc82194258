"""hsqa: question answering over UN human-security meeting summaries, with checkable citations.

The core (everything outside ``hsqa.tui``) never imports ``textual``; heavy libraries
(``torch``, ``sentence_transformers``, ``faiss``) are imported lazily where they are used.
"""

__version__ = "0.1.0"
