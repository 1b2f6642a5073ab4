"""The benchmark's generated corpus is a valid corpus of recombined real sentences (not timed)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from bench.synthetic import distinct_paragraphs, generate
from corpus_tools import Document, load_corpus


def test_generated_documents_are_valid_and_recombine_real_sentences(
    tmp_path: Path, doc: Document
) -> None:
    total, distinct = distinct_paragraphs(generate(tmp_path / "twenty", 20))
    assert total > 100 and distinct / total > 0.95  # a memo by paragraph would gain next to nothing
    corpus = load_corpus(generate(tmp_path / "five", 5), workers=1)  # the first five of them
    assert len(corpus) == 5 and next(iter(corpus)) == "generated-00000"
    for name in ("documents/generated-00004.yaml", "sources/generated-00004.txt"):
        assert (tmp_path / "five" / name).read_bytes() == (tmp_path / "twenty" / name).read_bytes()
    real = {s.text for s in doc.sentences}
    for generated in corpus.values():
        for paragraph in generated.paragraphs:
            assert _joins_real_sentences(paragraph.text, real), paragraph.text
    tokens = [len(generated.tokens) for generated in corpus.values()]
    assert 600 < sum(tokens) / len(tokens) < 1600  # about as long as the real document


def _joins_real_sentences(text: str, real: set[str]) -> bool:
    """``text`` is real sentences joined by single spaces."""
    if text in real:
        return True
    return any(
        text.startswith(f"{sentence} ") and _joins_real_sentences(text[len(sentence) + 1 :], real)
        for sentence in real
    )


def test_scoring_benchmark_runs_in_a_tiny_configuration() -> None:
    from bench.scoring import score_class

    rows = score_class(students=3, key_size=5)
    assert [name.split()[0] for name, _, _ in rows] == ["read", "score"]
    assert all(value.endswith(" s") and float(value[:-2]) >= 0 for _, value, _ in rows)


def test_the_peers_of_the_bench_agree_with_ours_on_a_small_corpus(tmp_path: Path) -> None:
    """The bench compares like with like: the numpy floor finds the lines our concordance
    finds, and Aho–Corasick finds every span the glossary finds (and the ratio is printed)."""
    from bench.concordance import query_side_by_side
    from bench.glossary_lookup import generated_corpus

    root = generate(tmp_path / "corpus", 20)  # enough for every spelling the glossary lists
    load_corpus(root, workers=1, progress=False)  # in this process: a pool costs more to start
    (row,) = generated_corpus(root)
    ours = re.search(r"\(([\d,]+) spans\)", row.name)
    common = re.search(r"([\d,]+) in common", row.peer)
    assert ours and common and ours.group(1) == common.group(1) and row.ratio.endswith("×")
    rows = query_side_by_side(root)
    queries = [r.name.split("'")[1] for r in rows[1:]]
    assert queries == ["die", "Ukraine", "Außenminister", "beide Seiten", "Quantenchromodynamik"]
    assert all(r.ratio.endswith("×") for r in rows[:-1])


def test_the_test_suite_row_counts_the_cpu_time_of_the_machine() -> None:
    from bench.suite import _machine_cpu

    before, spent = _machine_cpu(), time.process_time()
    while time.process_time() - spent < 0.2:  # busy for 0.2 s of this process's CPU
        pass
    after = _machine_cpu()
    assert before is not None and after is not None and after - before >= 0.15


def test_the_test_suite_row_gives_pytests_count_without_the_warnings() -> None:
    from bench.suite import outcome_of

    closing = "\n==== 791 passed, 2 skipped, 16 warnings in 61.69s (0:01:01) ====\n"
    assert outcome_of("...\n" + closing) == "791 passed, 2 skipped"
    assert outcome_of("= 12 passed in 0.40s =") == "12 passed"
    assert outcome_of("ruff: All checks passed!") == "no pytest summary"


def test_a_failed_suite_row_names_the_tests_that_failed() -> None:
    from bench.suite import failure_of

    summary = (
        "=== short test summary info ===\n"
        "FAILED tests/test_a.py::test_one - assert 1 == 2\n"
        "ERROR tests/test_b.py::test_two - RuntimeError\n"
        "FAILED tests/test_c.py::test_three[x] - boom\n"
        "==== 2 failed, 800 passed, 1 error in 50.1s ====\n"
    )
    assert failure_of(summary) == (
        "FAILED: tests/test_a.py::test_one, tests/test_b.py::test_two and 1 more"
    )
    assert failure_of("ruff: 3 errors") == "FAILED before pytest's summary: run make test"
