"""How fast the annotation store saves and loads (the store fsyncs every save)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from corpus_tools import load_corpus
from corpus_tools.annotate import AnnotationStore, load_tagsets, make_annotation

from .measure import median_seconds
from .synthetic import REAL_CORPUS, REAL_ID

Row = tuple[str, str, str]


def save_and_load(saves: int = 200, loaded: int = 100_000) -> list[Row]:
    doc = load_corpus(REAL_CORPUS)[REAL_ID]
    tagset = load_tagsets(REAL_CORPUS / "tagsets")["diplomatic-discourse"]
    tokens = list(doc.tokens)
    annotations = [
        make_annotation(doc.text, doc.id, t.start, t.end, "actor", tagset, creator="bench")
        for t in (tokens * (loaded // len(tokens) + 1))[:loaded]
    ]
    with tempfile.TemporaryDirectory() as folder:
        store = AnnotationStore(Path(folder) / "one.jsonl")
        timings = []
        for annotation in annotations[:saves]:
            start = time.perf_counter()
            store.add(annotation)
            timings.append(time.perf_counter() - start)
        big = AnnotationStore(Path(folder) / "big.jsonl")
        big.add_many(annotations)
        report = big.load({doc.id: doc.text})
        load_seconds = median_seconds(lambda: big.load({doc.id: doc.text}), repeat=3)
    return [
        (f"save one annotation (median of {saves}, fsynced)",
         f"{1000 * statistics.median(timings):.2f} ms", "< 10 ms"),
        (f"load {len(report.annotations):,} annotations, checked against the text",
         f"{load_seconds:.2f} s", "< 2 s"),
    ]  # fmt: skip
