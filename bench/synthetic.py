"""A generated corpus for scale benchmarks: the real document's paragraphs, reshuffled.

Each generated document keeps the real paragraphs verbatim (so tokenisation does real work on
real German and English) in a seeded random order, one section per paragraph with the language
of the section it came from.  1,000 documents make about 1.1 million tokens.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import yaml

from corpus_tools import load_corpus

REAL_CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REAL_ID = "riyadh-2025-02-18"


def _real_paragraphs() -> list[tuple[str, str, str]]:
    """(text, language, kind) of every paragraph of the real document."""
    doc = load_corpus(REAL_CORPUS)[REAL_ID]
    return [(p.text, p.language, p.section.kind) for p in doc.paragraphs]


def generate(root: Path, documents: int, *, seed: int = 2025) -> Path:
    """Write ``documents`` generated documents under ``root`` (sources/ and documents/)."""
    paragraphs = _real_paragraphs()
    rng = random.Random(seed)
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "documents").mkdir(parents=True, exist_ok=True)
    for number in range(documents):
        order = rng.sample(paragraphs, k=len(paragraphs))
        _write_document(root, f"generated-{number:05d}", order)
    return root


def _write_document(root: Path, doc_id: str, paragraphs: list[tuple[str, str, str]]) -> None:
    text = "\n\n".join(text for text, _, _ in paragraphs)
    source = root / "sources" / f"{doc_id}.txt"
    source.write_text(text, encoding="utf-8")
    sections, offset = [], 0
    for index, (content, language, kind) in enumerate(paragraphs):
        sections.append(
            {
                "id": f"part-{index + 1}",
                "kind": "commentary" if kind in {"heading", "separator"} else kind,
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
