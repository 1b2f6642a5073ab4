"""What the notebooks show as HTML: the translation chain, and escaping in one place."""

from __future__ import annotations

import pytest

from corpus_tools import Document
from corpus_tools.display import escape, translation_chain


def test_translation_chain_names_every_step(doc: Document) -> None:
    shown = translation_chain(doc.section("russian-readout"), note=doc.section("deepl-note"))
    assert repr(shown) == (
        "original (institution: Ministry of Foreign Affairs of the Russian Federation; not in the "
        "corpus) → machine translation: DeepL (probably from Russian; the text does not say) → "
        "German text in the corpus (section 'russian-readout', 3,229 characters)\n"
        "stated in the text: (Übersetzt mit deepl.com)"
    )
    html = shown._repr_html_()
    assert html.count("<b>") == 3 and "border-style:dashed" in html
    speech = repr(translation_chain(doc.section("zakharova-quote-2")))
    assert "→ translation: Reuters (how it was made is not stated;" in speech
    assert "(Übersetzt mit deepl.com)" in html and "&#x27;russian-readout&#x27;" in html


def test_translation_chain_refuses_an_original(doc: Document) -> None:
    with pytest.raises(ValueError, match="'us-statement' is an original"):
        translation_chain(doc.section("us-statement"))


def test_escape_is_the_one_door_to_html() -> None:
    assert escape('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )


def test_kwic_keeps_the_keyword_column_aligned_and_escapes(corpus) -> None:
    from corpus_tools.analysis import concordances
    from corpus_tools.display import kwic

    lines = concordances(corpus, ["Konflikt"])
    shown = kwic(lines)
    html = shown._repr_html_()
    assert html.count("text-align:right") == len(lines)  # every left context, against the keyword
    assert html.count("font-weight:bold") == len(lines)
    assert (
        "white-space:nowrap" in html and "<script" not in kwic(lines.assign(left="<script>")).html
    )
    assert repr(shown).splitlines()[0].split() == list(lines.columns)
    assert "no occurrence" not in html


def test_kwic_names_the_queries_that_found_nothing(corpus) -> None:
    from corpus_tools.analysis import concordances
    from corpus_tools.display import kwic

    lines = concordances(corpus, ["Krieg", "Konflikt", "Quantenchromodynamik"])
    assert lines.attrs["without_lines"] == ["Krieg", "Quantenchromodynamik"]
    assert set(lines["query"]) == {"Konflikt"}
    shown = kwic(lines)
    assert repr(shown).splitlines()[-1] == "no occurrence of: Krieg, Quantenchromodynamik"
    assert "no occurrence of: Krieg, Quantenchromodynamik</p>" in shown._repr_html_()
    in_one_section = concordances(corpus, ["Konflikt"], sections=["us-statement"])
    assert in_one_section.empty and in_one_section.attrs["without_lines"] == ["Konflikt"]
