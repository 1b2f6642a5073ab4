"""Loading validates everything: each malformed corpus stops with a message that names the file
and line, says what was expected and what to do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from corpus_tools import CorpusError, load_corpus
from corpus_tools.errors import DataFileError, DocumentSpecError, SectionError, SourceError

from ..conftest import CORPUS

DOC = "documents/riyadh-2025-02-18.yaml"
SOURCE = "sources/riyadh-2025-02-18.txt"


def edit(root: Path, old: str, new: str, *, file: str = DOC) -> int:
    """Replace the one occurrence of ``old`` and return the 1-based line where it was."""
    path = root / file
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {file}"
    path.write_text(text.replace(old, new), "utf-8")
    return text[: text.index(old)].count("\n") + 1


def failure(root: Path, error: type[CorpusError] = CorpusError) -> str:
    with pytest.raises(error) as caught:
        load_corpus(root, cache_dir=root / ".cache")
    return str(caught.value)


def located(message: str, root: Path, line: int | None, file: str = DOC) -> None:
    where = f"{root / file}:{line}:" if line else f"{root / file}:"
    assert message.startswith(where), f"{message!r} should start with {where!r}"


def test_invalid_yaml(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    kind: heading\n", "    kind: heading\n   start: [0\n")
    message = failure(corpus_copy, DataFileError)
    assert "invalid YAML" in message and "check indentation" in message
    assert re.match(rf"{re.escape(str(corpus_copy / DOC))}:{line + 1}:", message)


def test_empty_document_file(corpus_copy: Path) -> None:
    (corpus_copy / DOC).write_text("\n  \n", "utf-8")
    message = failure(corpus_copy, DataFileError)
    located(message, corpus_copy, None)
    assert "document file is empty; expected content" in message


def test_non_utf8_document_file(corpus_copy: Path) -> None:
    path = corpus_copy / DOC
    data = path.read_bytes().replace("Annäherung".encode(), "Ann\xe4herung".encode("latin-1"), 1)
    path.write_bytes(data)
    message = failure(corpus_copy, DataFileError)
    located(message, corpus_copy, 5)
    assert "byte 0xe4 at column 34" in message and "save the document file as UTF-8" in message


def test_non_utf8_source(corpus_copy: Path) -> None:
    (corpus_copy / SOURCE).write_bytes(b"Die USA\n\xff\xfe und Russland")
    message = failure(corpus_copy, DataFileError)
    located(message, corpus_copy, 2, SOURCE)
    assert "byte 0xff" in message and "save the source text as UTF-8" in message


def test_missing_source(corpus_copy: Path) -> None:
    (corpus_copy / SOURCE).unlink()
    message = failure(corpus_copy, SourceError)
    located(message, corpus_copy, 6)
    assert "does not exist" in message and "correct 'source'" in message


def test_source_hash_mismatch(corpus_copy: Path) -> None:
    edit(corpus_copy, "Riad stand,", "Riad  stand,", file=SOURCE)
    message = failure(corpus_copy, SourceError)
    located(message, corpus_copy, 7)
    assert "but the document records ac1c6771" in message
    assert "sources are never edited" in message and "re-check every section's offsets" in message


def test_offsets_out_of_range(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    end: 6908\n", "    end: 9000\n")
    message = failure(corpus_copy, SectionError)
    located(message, corpus_copy, line - 1)
    assert "span [6419, 9000)" in message and "expected 0 <= start < end <= 6908" in message


def test_gap_with_text(corpus_copy: Path) -> None:
    text = (corpus_copy / DOC).read_text("utf-8")
    start = text.index("  - id: bridge-to-readout")
    end = text.index("  - id: russian-readout")
    (corpus_copy / DOC).write_text(text[:start] + text[end:], "utf-8")
    message = failure(corpus_copy, SectionError)
    assert "text between offsets 2392 and 2457 ('\\n\\nDie entsprechende" in message
    assert "belongs to no section; extend a neighbouring section or add one" in message


def test_overlapping_sections(corpus_copy: Path) -> None:
    line = edit(
        corpus_copy,
        "  - id: introduction\n",
        "  - id: title-again\n    kind: heading\n    start: 0\n    end: 3\n    text: Die\n\n"
        "  - id: introduction\n",
    )
    message = failure(corpus_copy, SectionError)
    located(message, corpus_copy, line + 2)
    assert "'title-again' starts at 0, inside the section before it (which ends at 58)" in message


def test_unknown_language(corpus_copy: Path) -> None:
    line = edit(
        corpus_copy,
        "    language: en\n    origin:\n      agency",
        "    language: xx\n    origin:\n      agency",
    )
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line)
    assert "unknown language 'xx'; expected one of: de, en" in message


def test_translation_from_unknown_language(corpus_copy: Path) -> None:
    line = edit(
        corpus_copy,
        "      from: ru\n      from_stated: false\n      engine: DeepL\n",
        "      from: russian\n      from_stated: false\n      engine: DeepL\n",
    )
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line)
    assert "unknown from 'russian'; expected one of: ar, de, en" in message


def test_unknown_kind(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    kind: news_report\n", "    kind: blogpost\n")
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line)
    assert "unknown kind 'blogpost'; expected one of: caption, commentary" in message


def test_stated_text_does_not_match(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    start: 5714\n", "    start: 5716\n")
    message = failure(corpus_copy, SectionError)
    located(message, corpus_copy, line + 2)
    assert "[5716, 5844) reads 'm Thema gehört" in message
    assert "does not match its stated begins 'Zum Thema gehört auch'" in message
    assert "the stated text occurs at offset 5714" in message


def test_section_must_state_its_text(corpus_copy: Path) -> None:
    line = edit(corpus_copy, '    text: "(wird ggf ergänzt)"\n', "")
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line - 4)
    assert "must state its text, as 'text' (all of it) or as 'begins' and 'ends'" in message


def test_section_on_white_space(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    start: 60\n", "    start: 59\n")
    message = failure(corpus_copy, SectionError)
    located(message, corpus_copy, line)
    assert "begins or ends with white space" in message and "move start and end" in message


def test_duplicate_key(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    end: 58\n", "    end: 58\n    end: 59\n")
    message = failure(corpus_copy, DataFileError)
    located(message, corpus_copy, line + 1)
    assert f"key 'end' is given twice (first on line {line}); keep one" in message


def test_missing_field(corpus_copy: Path) -> None:
    line = edit(
        corpus_copy,
        "  - id: introduction\n    kind: commentary\n    start: 60\n    end: 479\n",
        "  - id: introduction\n    kind: commentary\n    start: 60\n",
    )
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line)
    assert "section 'introduction' gives one offset; give both, or neither" in message


def test_wrong_type(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    start: 481\n", "    start: four hundred\n")
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line)
    assert "section field 'start' should be a whole number, not 'four hundred'" in message


def test_unknown_field(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "    kind: heading\n", "    kind: heading\n    colour: red\n")
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line + 1)
    assert "unknown section field 'colour'; expected one of begins, documents_date" in message


def test_duplicate_section_id(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "  - id: addendum-note\n", "  - id: deepl-note\n")
    message = failure(corpus_copy, SectionError)
    located(message, corpus_copy, line)
    assert "section id 'deepl-note' is already used on line" in message


def test_nested_section_outside_its_parent(corpus_copy: Path) -> None:
    edit(corpus_copy, "\n        end: 1977\n", "\n        end: 1772\n")
    edit(corpus_copy, 'ends: "end to the conflict in Ukraine."', 'ends: "acceptable to all sides."')
    line = edit(corpus_copy, "            start: 1774\n", "            start: 1774\n")
    message = failure(corpus_copy, SectionError)
    located(message, corpus_copy, line)
    assert (
        "section 'us-point-3' [1774, 1977) lies outside its parent 'agreed-points' [1374, 1772); "
        "nested sections must stay inside their parent" in message
    )


def test_nested_section_cannot_change_language(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "        kind: list\n", "        kind: list\n        language: de\n")
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line + 1)
    assert "cannot change language (en → de); make it a top-level section" in message


def test_translation_note_must_exist(corpus_copy: Path) -> None:
    edit(corpus_copy, "      stated_in: deepl-note\n", "      stated_in: deepl-remark\n")
    message = failure(corpus_copy, DocumentSpecError)
    assert "stated in section 'deepl-remark', which does not exist" in message


def test_id_must_match_file_name(corpus_copy: Path) -> None:
    edit(corpus_copy, "id: riyadh-2025-02-18\n", "id: riyadh\n")
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, 4)
    assert "id 'riyadh' differs from the file name" in message


def test_bad_date(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "\ndate: 2025-02-18\n", "\ndate: 18.02.2025\n") + 1
    message = failure(corpus_copy, DocumentSpecError)
    located(message, corpus_copy, line)
    assert "date '18.02.2025' is not a date; write it as YYYY-MM-DD" in message


def test_no_documents(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    with pytest.raises(CorpusError, match=r"no document files \(\*\.yaml\) in .*documents"):
        load_corpus(tmp_path)


def test_validate_command_reports_and_fails(
    corpus_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(corpus_copy, "    kind: news_report\n", "    kind: blogpost\n")
    status, _, err = _validate(corpus_copy, capsys)
    assert status == 1
    assert err.startswith(f"error: {corpus_copy / DOC}:")
    assert "unknown kind 'blogpost'" in err and "Traceback" not in err


def test_validate_command_accepts_a_valid_corpus(
    corpus_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _validate(corpus_copy, capsys)
    assert status == 0, err
    assert out.startswith("ok  riyadh-2025-02-18: 6,908 characters, 28 sections")


def _validate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``corpus-tools validate ROOT``, run in this process: its exit status, stdout, stderr."""
    from corpus_tools.cli import main

    status = main(["validate", str(root)])
    out, err = capsys.readouterr()
    return status, out, err


def test_validate_checks_every_file_and_reports_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns(".cache"))
    broken = {
        "glossary/terms.yaml": ("    pos: noun\n", "    pos: nown\n"),
        "tagsets/entities.yaml": ('    shortcut: "2"\n', '    shortcut: "1"\n'),
        "alignments/riyadh-2025-02-18.yaml": ("relation: says less", "relation: fewer"),
    }
    for file, (old, new) in broken.items():
        path = root / file
        path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path / "cache"))  # a cold one
    status, _, err = _validate(root, capsys)
    assert status == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3, err
    for error, file in zip(sorted(errors), sorted(broken), strict=True):
        assert re.match(rf"error: {re.escape(str(root / file))}:\d+: ", error), error
    assert "3 problem(s)" in err


def test_validate_reports_a_wrong_assignment_alone(tmp_path: Path, capsys) -> None:
    from corpus_tools.cli import main

    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns(".cache"))
    path = root / "assignments" / "readout-critique.yaml"
    text = path.read_text("utf-8").replace("passages: [p14, p15, p17, p18]", "passages: [p19]")
    path.write_text(text, "utf-8")
    assert main(["validate", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}:" in err and "p19 repeats p16" in err and "1 problem(s)" in err


def test_an_impossible_date_names_its_line(corpus_copy: Path) -> None:
    line = edit(corpus_copy, "\ndate: 2025-02-18\n", "\ndate: 2025-02-30\n") + 1
    message = failure(corpus_copy, DataFileError)
    located(message, corpus_copy, line)
    assert "'2025-02-30' is not a real date" in message


def test_a_folder_named_like_a_document_file_is_refused_with_advice(corpus_copy: Path) -> None:
    (corpus_copy / "documents" / "x.yaml").mkdir()
    message = failure(corpus_copy, DataFileError)
    assert message.startswith(f"{corpus_copy / 'documents' / 'x.yaml'}: this is a folder")


def test_a_source_outside_the_sources_folder_is_refused(corpus_copy: Path) -> None:
    (corpus_copy / "outside.txt").write_text("not a source", "utf-8")
    line = edit(corpus_copy, "source: riyadh-2025-02-18.txt\n", "source: ../outside.txt\n")
    message = failure(corpus_copy, SourceError)
    located(message, corpus_copy, line)
    assert "lies outside" in message and "sources folder" in message
