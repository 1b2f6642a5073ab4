"""How fast the corpus imports and loads: the real one warm, and a generated million tokens."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus_tools import load_corpus

from .synthetic import REAL_CORPUS

Row = tuple[str, str, str]


def _median_subprocess_seconds(code: str, runs: int = 5) -> float:
    """Wall time of a fresh interpreter running ``code``, median of ``runs``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_and_load() -> list[Row]:
    load_corpus(REAL_CORPUS)  # warm the cache
    baseline = _median_subprocess_seconds("pass")
    imported = _median_subprocess_seconds("import corpus_tools")
    loaded = _median_subprocess_seconds(
        f"import corpus_tools; corpus_tools.load_corpus({str(REAL_CORPUS)!r})"
    )
    return [
        ("python start-up alone", f"{baseline:.3f} s", "(reference)"),
        ("import corpus_tools", f"{imported:.3f} s", "(part of the next row)"),
        ("import + load_corpus(), warm cache", f"{loaded:.3f} s", "< 0.5 s"),
    ]


def generated_corpus(root: Path) -> list[Row]:
    """Cold build, warm load and a token table of the generated corpus under ``root``."""
    documents = len(list((root / "documents").glob("*.yaml")))
    start = time.perf_counter()
    corpus = load_corpus(root, progress=True)
    cold = time.perf_counter() - start
    tokens = sum(len(doc.tokens) for doc in corpus.values())
    start = time.perf_counter()
    corpus = load_corpus(root)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    frame = corpus.frame("tokens")
    framed = time.perf_counter() - start
    cores = os.cpu_count() or 1
    return [
        (
            "generated corpus: documents / tokens",
            f"{documents:,} / {tokens:,}",
            "~1 million tokens",
        ),
        (f"cold build ({cores} processes, progress bar)", f"{cold:.1f} s", "(once per source)"),
        ("warm load_corpus()", f"{warm:.2f} s", "< 3 s"),
        (f"corpus.frame('tokens'): {len(frame):,} rows", f"{framed:.2f} s", "(for reference)"),
    ]
