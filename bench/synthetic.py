"""A generated corpus for scale benchmarks: the real document's sentences, recombined.

Each generated paragraph joins three to six sentences drawn (with a seeded generator) from the
sentences of one language of the real document, so tokenisation does real work on
real German and English, and nearly every paragraph is new: a cache or memo by paragraph
gains nothing here that it would not gain on a real corpus.  1,000 documents make about
1.1 million tokens.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from pathlib import Path

import yaml

from corpus_tools import load_corpus

REAL_CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REAL_ID = "riyadh-2025-02-18"

Paragraph = tuple[str, str, str]
"""A paragraph's text, language and kind."""


def _real_sentences() -> dict[str, list[tuple[str, str]]]:
    """The real document's sentences with the kind of their section, by language."""
    doc = load_corpus(REAL_CORPUS)[REAL_ID]
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sentence in doc.sentences:
        section = sentence.section
        kind = "commentary" if section.kind in {"heading", "caption"} else section.kind
        by_language[section.language].append((sentence.text, kind))
    return dict(sorted(by_language.items()))


def generate(root: Path, documents: int, *, seed: int = 2025) -> Path:
    """Write ``documents`` generated documents under ``root`` (sources/ and documents/)."""
    sentences, rng = _real_sentences(), random.Random(seed)
    for number in range(documents):
        paragraphs = [_paragraph(sentences, rng) for _ in range(rng.randint(6, 12))]
        write_document(root, f"generated-{number:05d}", paragraphs)
    return root


LARGE_ID = "generated-large"


def large_document(root: Path, *, characters: int, seed: int = 2025) -> list[Paragraph]:
    """Write one generated document of about ``characters`` characters under ``root``; its
    paragraphs."""
    sentences, rng = _real_sentences(), random.Random(seed)
    paragraphs: list[Paragraph] = []
    while sum(len(text) + 2 for text, _, _ in paragraphs) < characters:
        paragraphs.extend(_paragraph(sentences, rng) for _ in range(100))
    write_document(root, LARGE_ID, paragraphs)
    return paragraphs


def _paragraph(sentences: dict[str, list[tuple[str, str]]], rng: random.Random) -> Paragraph:
    """Three to six sentences of one language; the language is that of a sentence drawn from
    the whole document, the kind that of the paragraph's first sentence."""
    languages = list(sentences)
    language = rng.choices(languages, [len(sentences[code]) for code in languages])[0]
    drawn = rng.choices(sentences[language], k=rng.randint(3, 6))
    return " ".join(text for text, _ in drawn), language, drawn[0][1]


def distinct_paragraphs(root: Path) -> tuple[int, int]:
    """How many paragraphs the generated corpus has, and how many of them are distinct."""
    seen: set[str] = set()
    total = 0
    for path in sorted((root / "sources").glob("*.txt")):
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")
        total += len(paragraphs)
        seen.update(paragraphs)
    return total, len(seen)


def write_document(root: Path, doc_id: str, paragraphs: list[Paragraph]) -> None:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "documents").mkdir(parents=True, exist_ok=True)
    text = "\n\n".join(text for text, _, _ in paragraphs)
    source = root / "sources" / f"{doc_id}.txt"
    source.write_text(text, encoding="utf-8")
    sections, offset = [], 0
    for index, (content, language, kind) in enumerate(paragraphs):
        sections.append(
            {
                "id": f"part-{index + 1}",
                "kind": kind,
                "start": offset,
                "end": offset + len(content),
                "text": content,
                "language": language,
            }
        )
        offset += len(content) + 2
    manifest = {
        "id": doc_id,
        "title": f"Generated document {doc_id}",
        "source": source.name,
        "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "language": "de",
        "origin": {"author": "unknown"},
        "sections": sections,
    }
    (root / "documents" / f"{doc_id}.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
