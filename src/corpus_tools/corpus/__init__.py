"""The corpus: its model (documents, layers, units, provenance) and everything read from
``corpus/`` (document files, sources, reference translations, alignments), with loading and
its cache.  Nothing here imports the glossary, translation, annotation or teaching modules."""

from __future__ import annotations

from .document import LAYER_NAMES, Corpus, Document
from .layers import Layer
from .load import find_corpus_root, load_corpus
from .units import Paragraph, Section, Sentence, Token

__all__ = [
    "LAYER_NAMES",
    "Corpus",
    "Document",
    "Layer",
    "Paragraph",
    "Section",
    "Sentence",
    "Token",
    "find_corpus_root",
    "load_corpus",
]
