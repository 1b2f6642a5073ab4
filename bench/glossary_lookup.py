"""How fast the glossary finds its terms and names: the real corpus, and the generated one
beside pyahocorasick (Aho–Corasick in C) looking for the same strings in the same texts."""

from __future__ import annotations

from pathlib import Path

from corpus_tools import Corpus, load_corpus
from corpus_tools.glossary import Glossary, load_glossary

from .measure import Row, in_turn, median_seconds, ratio, statement_seconds, timed
from .synthetic import REAL_CORPUS


def _matches(glossary: Glossary, corpus: Corpus) -> int:
    """How many matches every document has, found by a glossary that found nothing before."""
    fresh = Glossary(corpus, glossary.terms, glossary.entities)
    return sum(len(fresh.find(doc, overlapping=True)) for doc in corpus.values())


def _spans(glossary: Glossary, corpus: Corpus) -> set[tuple[str, int, int]]:
    found = (glossary.find(doc, overlapping=True) for doc in corpus.values())
    return {(m.doc_id, m.start, m.end) for matches in found for m in matches}


class AhoCorasick:
    """The peer: an automaton of every string the glossary found (lowercased, which keeps
    the offsets of these texts), run over each lowercased text, keeping what starts and ends
    on token boundaries.  It knows no languages: where German quotes a word that the
    glossary lists only in English (*das State Department*), it finds a span the glossary
    rightly leaves out, so it finds a few more."""

    def __init__(self, corpus: Corpus, spans: set[tuple[str, int, int]]):
        import ahocorasick

        self.corpus = corpus
        self.automaton = ahocorasick.Automaton()
        for doc_id, start, end in spans:
            found = corpus[doc_id].text[start:end].lower()
            self.automaton.add_word(found, len(found))
        self.automaton.make_automaton()
        self.bounds = {
            doc.id: (set(doc.tokens.column("start")), set(doc.tokens.column("end")))
            for doc in corpus.values()
        }

    def count(self) -> int:
        """How many strings it finds on token boundaries (what is timed)."""
        found = 0
        for doc in self.corpus.values():
            starts, ends = self.bounds[doc.id]
            for last, length in self.automaton.iter(doc.text.lower()):
                found += last + 1 - length in starts and last + 1 in ends
        return found

    def spans(self) -> set[tuple[str, int, int]]:
        found = set()
        for doc in self.corpus.values():
            starts, ends = self.bounds[doc.id]
            for last, length in self.automaton.iter(doc.text.lower()):
                if last + 1 - length in starts and last + 1 in ends:
                    found.add((doc.id, last + 1 - length, last + 1))
        return found


def real_corpus() -> list[Row]:
    corpus = load_corpus(REAL_CORPUS)
    glossary = load_glossary(corpus)
    setup = (
        "import corpus_tools; from corpus_tools.glossary import load_glossary; "
        f"corpus = corpus_tools.load_corpus({str(REAL_CORPUS)!r})"
    )
    (loaded,) = in_turn(lambda: statement_seconds(setup, "load_glossary(corpus)"))
    seconds = median_seconds(lambda: _matches(glossary, corpus))
    found = _matches(glossary, corpus)
    return [
        Row("load_glossary(), warm, new process (validates; compiled forms cached)",
            f"{loaded:.3f} s",
            "(part of the first cell)"),
        Row(f"all glossary matches, real corpus ({found} spans)", f"{1000 * seconds:.1f} ms",
            "< 50 ms"),
    ]  # fmt: skip


def generated_corpus(root: Path) -> list[Row]:
    corpus = load_corpus(root)
    glossary = load_glossary(corpus, REAL_CORPUS / "glossary")
    tokens = sum(len(doc.tokens) for doc in corpus.values())
    ours = _spans(glossary, corpus)
    peer = AhoCorasick(corpus, ours)
    theirs = peer.spans()
    seconds, peer_seconds = in_turn(
        lambda: timed(lambda: _matches(glossary, corpus)), lambda: timed(peer.count), repeat=3
    )
    return [
        Row(f"glossary matches, {tokens:,} tokens ({len(ours):,} spans)",
            f"{1e6 * seconds / tokens:.2f} µs/token", "within 2× of Aho–Corasick",
            f"pyahocorasick {1e6 * peer_seconds / tokens:.2f} µs/token "
            f"({len(theirs):,} spans, {len(ours & theirs):,} in common)",
            ratio(seconds, peer_seconds)),
    ]  # fmt: skip
