"""How fast a class is scored: 300 students with about 200 annotations each against a key of
200, with agreement (alpha, 44,850 kappa pairs per tag) and disagreement over the tokens."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from corpus_tools import load_corpus
from corpus_tools.annotate import TagSet, load_tagsets, make_annotation
from corpus_tools.annotate.record import Annotation
from corpus_tools.corpus import Document
from corpus_tools.grading import grade, load_class
from corpus_tools.simulation import simulate_class, write_class

from .synthetic import REAL_CORPUS, REAL_ID

Row = tuple[str, str, str]
SECTIONS = ("us-statement", "russian-readout")


def score_class(students: int = 300, key_size: int = 200, *, seed: int = 2025) -> list[Row]:
    """Time reading the class's files, and scoring it with agreement and disagreement."""
    doc = load_corpus(REAL_CORPUS)[REAL_ID]
    tagset = load_tagsets(REAL_CORPUS / "tagsets")["diplomatic-discourse"]
    key = _key(doc, tagset, key_size, seed)
    klass = simulate_class(key, doc, students=students, seed=seed, tagset=tagset)
    made = sum(map(len, klass.values())) / students
    with tempfile.TemporaryDirectory() as folder:
        paths = write_class(klass, Path(folder))
        start = time.perf_counter()
        read = load_class(paths, {doc.id: doc.text}, key=key)
        read_seconds = time.perf_counter() - start
    start = time.perf_counter()
    results = grade(key, read, {doc.id: doc}, tags=[label.name for label in tagset.labels])
    grade_seconds = time.perf_counter() - start
    assert len(results.students) == students
    return [
        (f"read {students} annotation files ({made:.0f} annotations each on average)",
         f"{read_seconds:.2f} s", "< 3 s"),
        (f"score {students} students against a key of {key_size}, with agreement",
         f"{grade_seconds:.2f} s", "< 5 s"),
    ]  # fmt: skip


def _key(doc: Document, tagset: TagSet, size: int, seed: int) -> list[Annotation]:
    """``size`` spans of one to four tokens of one sentence, random labels, in the readouts."""
    rng = np.random.default_rng(seed)
    tokens = [t for s in SECTIONS for t in doc.tokens.covered_by(*_bounds(doc, s))]
    labels = [label.name for label in tagset.labels]
    key = []
    for first in sorted(rng.choice(len(tokens), size=size, replace=size > len(tokens))):
        last = first
        for _ in range(int(rng.integers(4))):
            if last + 1 < len(tokens) and tokens[last + 1].sentence == tokens[first].sentence:
                last += 1
        start, end = tokens[first].start, tokens[last].end
        tag = labels[int(rng.integers(len(labels)))]
        key.append(make_annotation(doc.text, doc.id, start, end, tag, tagset, creator="key"))
    return key


def _bounds(doc: Document, section_id: str) -> tuple[int, int]:
    section = doc.section(section_id)
    return section.start, section.end
