"""The benchmark's generated corpus is a valid corpus of real paragraphs (not timed)."""

from __future__ import annotations

from pathlib import Path

from bench.synthetic import generate
from corpus_tools import Document, load_corpus


def test_generated_documents_load_and_keep_the_real_paragraphs(
    tmp_path: Path, doc: Document
) -> None:
    corpus = load_corpus(generate(tmp_path / "corpus", 3), workers=1)
    assert list(corpus) == ["generated-00000", "generated-00001", "generated-00002"]
    real = sorted(p.text for p in doc.paragraphs)
    for generated in corpus.values():
        assert sorted(p.text for p in generated.paragraphs) == real
        assert len(generated.tokens) == len(doc.tokens)
    orders = [[p.text for p in generated.paragraphs] for generated in corpus.values()]
    assert orders[0] != orders[1]


def test_scoring_benchmark_runs_in_a_tiny_configuration() -> None:
    from bench.scoring import score_class

    rows = score_class(students=3, key_size=5)
    assert [name.split()[0] for name, _, _ in rows] == ["read", "score"]
    assert all(value.endswith(" s") and float(value[:-2]) >= 0 for _, value, _ in rows)
