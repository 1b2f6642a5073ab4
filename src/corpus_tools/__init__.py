"""corpus_tools: the Riyadh readouts reading corpus as standoff layers, with the tools to read it.

Importing this package is instant: pandas, SoMaJo, simplemma and matplotlib are imported by
the functions that need them.  The model's other names (``Layer``, ``Section``, ``Token`` ...)
are in :mod:`corpus_tools.corpus`.
"""

from __future__ import annotations

from .corpus import Corpus, Document, find_corpus_root, load_corpus
from .errors import CorpusError, show_briefly_in_notebooks

__all__ = ["Corpus", "CorpusError", "Document", "find_corpus_root", "load_corpus"]

show_briefly_in_notebooks()
