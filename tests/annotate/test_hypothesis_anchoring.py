"""Our W3C selectors anchored by Hypothesis' own libraries (``dom-anchor-text-quote`` and
``dom-anchor-text-position``, run in Node with jsdom by ``tests/js/hypothesis_anchoring.mjs``):
on the real text, after edits, and on a text with characters outside the BMP.

Hypothesis counts positions in UTF-16 code units, the W3C model in code points; the two agree
on the corpus's text and differ where a character lies outside the BMP.  There Hypothesis' check
of the position selector fails and it anchors by the quote, with the position as its hint.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.annotate import Annotation, AnnotationStore, TagSet, make_annotation
from corpus_tools.annotate.keys import load_key
from corpus_tools.annotate.record import QUOTE_CONTEXT

from ..conftest import PROJECT

SCRIPT = PROJECT / "tests" / "js" / "hypothesis_anchoring.mjs"
LIBRARIES = PROJECT / "node_modules" / "dom-anchor-text-quote"


def _units(text: str, offset: int) -> int:
    """``offset`` (code points) in UTF-16 code units, as JavaScript counts."""
    return len(text[:offset].encode("utf-16-le")) // 2


def _selector(text: str, annotation: Annotation, quote: dict[str, str] | None = None) -> dict:
    data = annotation.to_w3c()["target"]["selector"]
    position, own_quote = data[0], data[1]
    start, end = _units(text, annotation.start), _units(text, annotation.end)
    return {
        "id": annotation.id,
        "position": {"start": position["start"], "end": position["end"]},
        "quote": quote or {k: own_quote[k] for k in ("exact", "prefix", "suffix")},
        "position16": {"start": start, "end": end},
    }


def _anchored(cases: list[tuple[str, list[dict]]]) -> list[dict[str, dict[str, Any]]]:
    if shutil.which("node") is None or not LIBRARIES.is_dir():
        pytest.skip("Node or Hypothesis' anchoring libraries are missing: run `npm ci`")
    payload = {"cases": [{"text": text, "selectors": s} for text, s in cases]}
    done = subprocess.run(
        ["node", str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    return [{r["id"]: r for r in results} for results in json.loads(done.stdout)]


@pytest.fixture(scope="module")
def keys(corpus: Corpus) -> list[Annotation]:
    return [*load_key("diplomatic-discourse", corpus), *load_key("translation-critique", corpus)]


def test_on_the_real_text_hypothesis_finds_every_key_span_and_makes_our_quote(
    doc: Document, keys: list[Annotation]
) -> None:
    (results,) = _anchored([(doc.text, [_selector(doc.text, a) for a in keys])])
    for annotation in keys:
        result = results[annotation.id]
        assert result["by"] == "position" and result["selected"] == annotation.exact
        quote = {"exact": annotation.exact, "prefix": annotation.prefix,
                 "suffix": annotation.suffix}  # fmt: skip
        assert result["made"] == quote, annotation.id


def _edited(text: str) -> str:
    """The commentary with a note put first, a phrase of the US statement rewritten and a
    sentence inserted before the paragraph the readout prints twice (p16, again as p19)."""
    twice = text.index("Beide Seiten tauschten ihre Ansichten")
    text = text[:twice] + "Ein eingefügter Satz steht jetzt hier. " + text[twice:]
    text = text.replace("Appoint respective high-level teams", "Appoint high-level teams", 1)
    return "Nachtrag vorab: der Text wurde ergänzt.\n\n" + text


def test_after_edits_hypothesis_anchors_where_we_re_anchor(
    doc: Document, keys: list[Annotation], tmp_path: Path
) -> None:
    text = _edited(doc.text)
    store = AnnotationStore(tmp_path / "key.jsonl")
    store.add_many(keys)
    report = store.load({doc.id: text})
    assert len(report.moved) == len(report.annotations) == len(keys) - 1  # all shifted
    assert [a.exact for a in report.orphans] == ["Appoint respective high-level teams"]
    old = {a.id: a for a in keys}  # Hypothesis has only the stored selectors, as the file does
    (results,) = _anchored([(text, [_selector(text, old[a.id]) for a in report.annotations])])
    for annotation in report.annotations:
        found = results[annotation.id]["anchored"]
        assert found == {"start": annotation.start, "end": annotation.end}, annotation.exact


def _astral_text() -> str:
    emoji = "\U0001f91d"  # HANDSHAKE, outside the BMP
    return (
        f"Gespräche in Riad {emoji}{emoji} am 18. Februar {emoji} 𝔘𝔖𝔄 und Russland: "
        f"Lawrow {emoji} traf Rubio {emoji}{emoji}{emoji} und 𝔚𝔦𝔱𝔨𝔬𝔣𝔣 {emoji}.\n\n"
        f"Danach {emoji} sprach Lawrow erneut {emoji} über die Ukraine {emoji}{emoji}."
    )


def test_outside_the_bmp_hypothesis_anchors_our_quotes_by_their_context(
    discourse: TagSet,
) -> None:
    text = _astral_text()
    spans = [("Lawrow", 0), ("Rubio", 0), ("Lawrow", 1), ("Ukraine", 0)]
    annotations = []
    for word, skip in spans:
        start = text.index(word)
        for _ in range(skip):
            start = text.index(word, start + 1)
        annotations.append(make_annotation(text, "astral", start, start + len(word), "actor",
                                           discourse, creator="test"))  # fmt: skip
    (results,) = _anchored([(text, [_selector(text, a) for a in annotations])])
    for annotation in annotations:
        result = results[annotation.id]
        assert "error" not in result
        assert len(annotation.prefix.encode("utf-16-le")) // 2 <= QUOTE_CONTEXT
        expected = {"start": _units(text, annotation.start), "end": _units(text, annotation.end)}
        assert result["anchored"] == expected, annotation.exact
        assert result["made"]["exact"] == annotation.exact


def test_a_context_of_32_code_points_is_too_long_for_hypothesis_outside_the_bmp(
    discourse: TagSet,
) -> None:
    text = _astral_text()
    start = text.index("Rubio")
    annotation = make_annotation(text, "astral", start, start + 5, "actor", discourse,
                                 creator="test")  # fmt: skip
    long_prefix = {"exact": "Rubio", "prefix": text[start - 32 : start], "suffix": ""}
    assert len(long_prefix["prefix"].encode("utf-16-le")) // 2 > QUOTE_CONTEXT
    (results,) = _anchored([(text, [_selector(text, annotation, long_prefix)])])
    assert "Pattern too long" in results[annotation.id]["error"]
