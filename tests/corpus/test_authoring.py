"""Bringing a text of one's own: sections found by their words, offsets written back, and
``corpus-tools new`` drafting a document file that ``validate`` walks an instructor through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus_tools.cli import main
from corpus_tools.corpus.manifest import FILL_IN, read_manifest
from corpus_tools.errors import DocumentSpecError, SectionError

from ..conftest import CORPUS, DOC_ID

DOCUMENT = CORPUS / "documents" / f"{DOC_ID}.yaml"
_OFFSET_LINE = re.compile(r"^\s*(?:start|end): \d+\n", flags=re.M)


def _without_offsets(corpus_copy: Path) -> Path:
    path = corpus_copy / "documents" / f"{DOC_ID}.yaml"
    path.write_text(_OFFSET_LINE.sub("", DOCUMENT.read_text("utf-8")), "utf-8")
    return path


def test_every_section_is_found_by_its_words_alone(corpus_copy: Path) -> None:
    path = _without_offsets(corpus_copy)
    assert "start:" not in path.read_text("utf-8")
    found = read_manifest(path, corpus_copy / "sources")
    # nested list items, and the readout that ends with the paragraph it prints twice
    assert found.sections == read_manifest(DOCUMENT, CORPUS / "sources").sections


def test_words_that_fit_several_places_are_listed_with_their_lines(corpus_copy: Path) -> None:
    path = _without_offsets(corpus_copy)
    text = (
        path.read_text("utf-8")
        .replace('begins: "Im Einklang mit der Vereinbarung"', 'begins: "Beide Seiten"', 1)
        .replace('ends: "zu ernennenden Sonderbeauftragten fortzusetzen."', 'ends: "fortzusetzen."')
    )
    path.write_text(text, "utf-8")
    with pytest.raises(SectionError) as caught:
        read_manifest(path, corpus_copy / "sources")
    message = str(caught.value)
    assert "section 'russian-readout': its stated begins matches 6 places after the section " in (
        message
    )
    assert "line 29 (offsets 3189 to 5686); line 31 (offsets 3660 to 5686);" in message
    assert "state more words, or give start and end" in message


def test_words_that_are_not_there_say_from_where_they_were_looked_for(corpus_copy: Path) -> None:
    path = _without_offsets(corpus_copy)
    text = path.read_text("utf-8").replace('begins: "Im erwarteten hohen Tempo"',
                                           'begins: "Im erwarteten Tempo"')  # fmt: skip
    path.write_text(text, "utf-8")
    with pytest.raises(SectionError, match="'introduction': its stated begins does not occur "
                       r"after the section before it \(from offset 58\)"):  # fmt: skip
        read_manifest(path, corpus_copy / "sources")


def test_validate_writes_the_found_offsets_keeping_every_other_line(
    corpus_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _without_offsets(corpus_copy)
    before = path.read_text("utf-8")
    assert main(["validate", str(corpus_copy), "--write-offsets"]) == 0
    assert "wrote start and end of title, introduction" in capsys.readouterr().out
    after = path.read_text("utf-8")
    assert _OFFSET_LINE.sub("", after) == before  # comments, blank lines, order: all kept
    assert after.count("start:") == DOCUMENT.read_text("utf-8").count("start:")
    assert (
        read_manifest(path, corpus_copy / "sources").sections
        == read_manifest(DOCUMENT, CORPUS / "sources").sections
    )
    assert main(["validate", str(corpus_copy), "--write-offsets"]) == 0
    assert "wrote" not in capsys.readouterr().out and path.read_text("utf-8") == after


TWO_LANGUAGES = (
    "Zwei Sprachen, ein Text\r\n\r\n"
    "Der Außenminister sagte am Dienstag in Riad, man habe „konstruktive“ Gespräche geführt.\r\n"
    "\r\n"
    "The Secretary said: “We agreed to keep talking.” Both delegations left that evening.\r\n"
    "Nachtrag: Der Text wird ergänzt."
)


def _filled(draft: str) -> str:
    """The draft with exactly the values validate asked for."""
    answers = iter([
        '"Zwei Sprachen, ein Text"', "unknown", "unknown",
        "heading", "commentary", "quotation", "editorial_note",
    ])  # fmt: skip
    return re.sub(r'"FILL IN:[^"]*"', lambda _: next(answers), draft)


def test_a_new_two_language_text_becomes_a_valid_document(
    corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "Two Languages.txt"
    source.write_bytes(TWO_LANGUAGES.encode("utf-8"))
    assert main(["new", str(source), "--corpus", str(corpus_copy)]) == 0
    copy = corpus_copy / "sources" / "two-languages.txt"
    draft = corpus_copy / "documents" / "two-languages.yaml"
    assert capsys.readouterr().out.splitlines()[:2] == [str(copy), str(draft)]
    assert copy.read_bytes() == source.read_bytes()  # line ends and quotes as they were
    assert main(["validate", str(corpus_copy)]) == 1
    error = capsys.readouterr().err
    assert f"7 field(s) still say {FILL_IN!r} (line 5: title; line 11: origin.author;" in error
    assert "sections[part-4].kind)" in error
    text = draft.read_text("utf-8")
    assert re.findall(r"language: (\w+)  # detected", text) == ["de", "de", "en", "de"]
    draft.write_text(_filled(text), "utf-8")
    assert main(["validate", str(corpus_copy)]) == 0
    out = capsys.readouterr().out
    assert "ok  two-languages: 236 characters, 7 sections, 4 paragraphs" in out, out


def test_new_never_writes_over_a_document(corpus_copy: Path, tmp_path: Path) -> None:
    source = tmp_path / "other.txt"
    source.write_text("Ein anderer Text.", "utf-8")
    with pytest.raises(DocumentSpecError, match="exists; choose another --id"):
        from corpus_tools.corpus.authoring import draft_document

        draft_document(source, corpus_copy, DOC_ID)
    assert (corpus_copy / "sources" / f"{DOC_ID}.txt").read_bytes() == (
        CORPUS / "sources" / f"{DOC_ID}.txt"
    ).read_bytes()


def test_drafted_words_keep_the_white_space_of_the_text() -> None:
    from corpus_tools.corpus.authoring import Block, drafted_section

    text = "Der Minister  sagte\r\nam Dienstag in Riad, man habe lange und offen gesprochen."
    lines = drafted_section("part-1", Block(0, len(text), text, "de"))
    assert '    begins: "Der Minister  sagte\\r\\nam Dienstag"' in lines
    assert '    ends: "habe lange und offen gesprochen."' in lines
