"""Our W3C selectors anchored by Hypothesis' own libraries (``dom-anchor-text-quote`` and
``dom-anchor-text-position``, run in Node with jsdom by ``tests/js/hypothesis_anchoring.mjs``):
on the real text, after edits, and on a text with characters outside the BMP.  The cases are
sent to one Node process for the module (jsdom takes most of a second to start).

Hypothesis counts positions in UTF-16 code units, the W3C model in code points; the two agree
on the corpus's text and differ where a character lies outside the BMP.  There Hypothesis' check
of the position selector fails and it anchors by the quote, with the position as its hint.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any, NamedTuple

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.annotate import (
    Annotation,
    AnnotationStore,
    LoadReport,
    TagSet,
    make_annotation,
)
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


class Case(NamedTuple):
    """A text, our annotations on it, the selectors Hypothesis is given, and its results."""

    text: str
    annotations: list[Annotation]
    selectors: list[dict]
    results: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def keys(corpus: Corpus) -> list[Annotation]:
    return [*load_key("diplomatic-discourse", corpus), *load_key("translation-critique", corpus)]


@pytest.fixture(scope="module")
def edited(
    doc: Document, keys: list[Annotation], tmp_path_factory: pytest.TempPathFactory
) -> LoadReport:
    """The keys re-anchored by us in the edited commentary."""
    store = AnnotationStore(tmp_path_factory.mktemp("anchoring") / "key.jsonl")
    store.add_many(keys)
    return store.load({doc.id: _edited(doc.text)})


@pytest.fixture(scope="module")
def cases(
    doc: Document, keys: list[Annotation], edited: LoadReport, discourse: TagSet
) -> dict[str, Case]:
    """Every case of the module, anchored by Hypothesis' libraries in one run."""
    old = {a.id: a for a in keys}  # after the edit, Hypothesis has only the stored selectors
    text, astral = _edited(doc.text), _astral_text()
    on_astral = _astral_annotations(astral, discourse)
    rubio = on_astral[1]
    long_prefix = {"exact": "Rubio", "prefix": astral[rubio.start - 32 : rubio.start], "suffix": ""}
    specs = {
        "real": (doc.text, keys, [_selector(doc.text, a) for a in keys]),
        "edited": (text, edited.annotations,
                   [_selector(text, old[a.id]) for a in edited.annotations]),
        "astral": (astral, on_astral, [_selector(astral, a) for a in on_astral]),
        "long prefix": (astral, [rubio], [_selector(astral, rubio, long_prefix)]),
    }  # fmt: skip
    results = _anchored([(on, selectors) for on, _, selectors in specs.values()])
    return {name: Case(*spec, found)
            for (name, spec), found in zip(specs.items(), results, strict=True)}  # fmt: skip


def test_on_the_real_text_hypothesis_finds_every_key_span_and_makes_our_quote(
    cases: dict[str, Case],
) -> None:
    case = cases["real"]
    for annotation in case.annotations:
        result = case.results[annotation.id]
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


def test_after_edits_we_re_anchor_every_key_span_but_the_rewritten_one(
    keys: list[Annotation], edited: LoadReport
) -> None:
    assert len(edited.moved) == len(edited.annotations) == len(keys) - 1  # all shifted
    assert [a.exact for a in edited.orphans] == ["Appoint respective high-level teams"]


def test_after_edits_hypothesis_anchors_where_we_re_anchor(cases: dict[str, Case]) -> None:
    case = cases["edited"]
    for annotation in case.annotations:
        found = case.results[annotation.id]["anchored"]
        assert found == {"start": annotation.start, "end": annotation.end}, annotation.exact


def _astral_text() -> str:
    emoji = "\U0001f91d"  # HANDSHAKE, outside the BMP
    return (
        f"Gespräche in Riad {emoji}{emoji} am 18. Februar {emoji} 𝔘𝔖𝔄 und Russland: "
        f"Lawrow {emoji} traf Rubio {emoji}{emoji}{emoji} und 𝔚𝔦𝔱𝔨𝔬𝔣𝔣 {emoji}.\n\n"
        f"Danach {emoji} sprach Lawrow erneut {emoji} über die Ukraine {emoji}{emoji}."
    )


def _astral_annotations(text: str, discourse: TagSet) -> list[Annotation]:
    annotations = []
    for word, skip in [("Lawrow", 0), ("Rubio", 0), ("Lawrow", 1), ("Ukraine", 0)]:
        start = text.index(word)
        for _ in range(skip):
            start = text.index(word, start + 1)
        annotations.append(make_annotation(text, "astral", start, start + len(word), "actor",
                                           discourse, creator="test"))  # fmt: skip
    return annotations


def test_outside_the_bmp_hypothesis_anchors_our_quotes_by_their_context(
    cases: dict[str, Case],
) -> None:
    case = cases["astral"]
    for annotation in case.annotations:
        result = case.results[annotation.id]
        assert "error" not in result
        assert len(annotation.prefix.encode("utf-16-le")) // 2 <= QUOTE_CONTEXT
        expected = {"start": _units(case.text, annotation.start),
                    "end": _units(case.text, annotation.end)}  # fmt: skip
        assert result["anchored"] == expected, annotation.exact
        assert result["made"]["exact"] == annotation.exact


def test_a_context_of_32_code_points_is_too_long_for_hypothesis_outside_the_bmp(
    cases: dict[str, Case],
) -> None:
    case = cases["long prefix"]
    (selector,) = case.selectors
    assert len(selector["quote"]["prefix"].encode("utf-16-le")) // 2 > QUOTE_CONTEXT
    assert "Pattern too long" in case.results[selector["id"]]["error"]
