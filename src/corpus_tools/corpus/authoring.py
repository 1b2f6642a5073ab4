"""Writing document files for instructors: a draft for a new source (``corpus-tools new``), and
the offsets the loader found for sections stated by their words (``validate --write-offsets``).

A draft proposes one section per block of text (lines up to a blank line), with its offsets,
its first and last words, and the language py3langid detects for it.  py3langid is chosen
because it works offline on short texts, can be limited to the corpus's languages, is small,
and comes from the author of simplemma, which the package already uses.  What only a person
can know (a title, an author, each section's kind) is written as ``FILL IN``, which ``validate``
lists until it is replaced.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentSpecError
from ..files import write_atomic
from .datafile import Record, load_yaml, read_text
from .manifest import FILL_IN, DocumentManifest
from .provenance import LANGUAGES, SECTION_KINDS, SEPARATOR
from .yamledit import Edits, quoted

__all__ = [
    "Block",
    "blocks",
    "draft_document",
    "drafted_section",
    "first_words",
    "last_words",
    "section_records",
    "write_found_offsets",
]

_BLOCK = re.compile(r"\S(?:.*\S)?(?:\n[ \t]*\S(?:.*\S)?)*")
"""Lines of text up to a blank line, without the white space around them."""
_LINE = re.compile(r"\S(?:.*\S)?")
_WORDS_SHOWN = 5
_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Block:
    """A run of lines without a blank one, as a proposed section."""

    start: int
    end: int
    text: str
    language: str


def blocks(text: str) -> list[Block]:
    """The blocks of ``text``, each with the language detected for it; a block whose lines are
    in different languages is split where the language changes."""
    import py3langid

    py3langid.set_languages(sorted(LANGUAGES))
    found: list[Block] = []
    for block in _BLOCK.finditer(text):
        run: list[re.Match[str]] = []
        language = ""
        for line in _LINE.finditer(text, block.start(), block.end()):
            detected = py3langid.classify(line.group())[0]
            if run and detected != language:
                found.append(_block(text, run, language))
                run = []
            run.append(line)
            language = detected
        found.append(_block(text, run, language))
    return found


def _block(text: str, lines: list[re.Match[str]], language: str) -> Block:
    start, end = lines[0].start(), lines[-1].end()
    return Block(start, end, text[start:end], language)


def draft_document(source: Path, corpus_root: Path, doc_id: str | None = None) -> list[Path]:
    """Copy ``source`` verbatim into ``sources/`` and draft ``documents/<id>.yaml`` for it.

    Returns:
        The source copy and the draft.

    Raises:
        DataFileError: the source is missing, empty or not UTF-8.
        DocumentSpecError: a document of that id exists, or another source of that name.
    """
    text = read_text(source, what="source text")
    doc_id = doc_id or _ID.sub("-", source.stem.lower()).strip("-") or "document"
    copy = corpus_root / "sources" / f"{doc_id}.txt"
    draft = corpus_root / "documents" / f"{doc_id}.yaml"
    if draft.exists():
        raise DocumentSpecError(f"{draft} exists; choose another --id or remove it", path=draft)
    if copy.exists() and copy.read_bytes() != source.read_bytes():
        raise DocumentSpecError("another text has this name; choose another --id", path=copy)
    copy.parent.mkdir(parents=True, exist_ok=True)
    draft.parent.mkdir(parents=True, exist_ok=True)
    if not copy.exists():
        shutil.copyfile(source, copy)  # byte for byte: never a changed quote or line end
    write_atomic(draft, _draft(doc_id, copy.name, text))
    return [copy, draft]


def _draft(doc_id: str, source_name: str, text: str) -> str:
    found = blocks(text)
    weight = Counter()
    for block in found:
        weight[block.language] += len(block.text)
    language = weight.most_common(1)[0][0] if weight else "und"
    kinds = textwrap.wrap(", ".join(k for k in SECTION_KINDS if k != SEPARATOR), 80)
    lines = [
        f"# Drafted by `corpus-tools new` from {source_name}. Replace every FILL IN, check each",
        "# section's detected language and split or join sections where the text asks for it;",
        "# `corpus-tools validate` lists what is left. Offsets are code points into the source.",
        f"id: {doc_id}",
        f"title: {quoted(FILL_IN + ': the title, as the text gives it')}",
        f"source: {source_name}",
        f"sha256: {hashlib.sha256(text.encode('utf-8')).hexdigest()}",
        f"language: {language}",
        "# date: YYYY-MM-DD, only where the text states it (then say how in date_basis)",
        "origin:",
        f"  author: {quoted(FILL_IN + ': a name the text gives, or unknown')}",
        f"  publication: {quoted(FILL_IN + ': where it appeared, if the text says, or unknown')}",
        "paragraphs: lines",
        "# kind is one of:",
        *(f"#   {line}" for line in kinds),
        "sections:",
    ]
    for number, block in enumerate(found, start=1):
        lines += ["", *drafted_section(f"part-{number}", block)]
    return "\n".join(lines) + "\n"


def drafted_section(section_id: str, block: Block, indent: str = "  ") -> list[str]:
    """The lines of a drafted top-level section for ``block``: its offsets and words, the
    detected language, and ``FILL IN`` for its kind."""
    short = len(block.text.split()) <= 2 * _WORDS_SHOWN and "\n" not in block.text
    stated = (
        [f"text: {quoted(block.text)}"]
        if short
        else [
            f"begins: {quoted(first_words(block.text, _WORDS_SHOWN))}",
            f"ends: {quoted(last_words(block.text, _WORDS_SHOWN))}",
        ]
    )
    fields = [
        f"kind: {quoted(FILL_IN + ': a kind from the list above')}",
        f"start: {block.start}",
        f"end: {block.end}",
        *stated,
        f"language: {block.language}  # detected; check it",
    ]
    return [f"{indent}- id: {section_id}", *(f"{indent}  {line}" for line in fields)]


def first_words(text: str, count: int) -> str:
    """The first ``count`` words of ``text`` exactly as written, the white space between them
    included (a section's ``begins`` must be its text's start, character for character)."""
    words = _word_spans(text)
    return text[words[0][0] : words[min(count, len(words)) - 1][1]] if words else text


def last_words(text: str, count: int) -> str:
    """The last ``count`` words of ``text`` exactly as written."""
    words = _word_spans(text)
    return text[words[-min(count, len(words))][0] : words[-1][1]] if words else text


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in re.finditer(r"\S+", text)]


def write_found_offsets(manifest: DocumentManifest) -> list[str]:
    """Write ``start`` and ``end`` into the document file for each section stated only by its
    words, keeping every other line, comment and blank line as it is.

    Returns:
        The ids of the sections given offsets.

    Raises:
        DocumentSpecError: a section without offsets is written in flow style (``{id: ...}``),
            where no line can be added.
    """
    edits = Edits(read_text(manifest.path, what="document file"), manifest.path)
    spans = {s.id: (s.start, s.end) for s in manifest.sections}
    unplaced = [
        record
        for record in section_records(load_yaml(manifest.path, what="document file"))
        if "start" not in record and "end" not in record
    ]
    for record in unplaced:
        start, end = spans[str(record["id"])]
        indent = _key_indent(edits, record, manifest.path)
        edits.insert(record.line_of("id") + 1, [f"{indent}start: {start}", f"{indent}end: {end}"])
    if unplaced:
        write_atomic(manifest.path, edits.text())
    return [str(record["id"]) for record in unplaced]


def section_records(data: Record) -> list[Record]:
    """The section mappings of a document file, nested ones included, in document order."""
    found = []
    for item in data.get("sections") or []:
        if isinstance(item, Record):
            found += [item, *section_records(item)]
    return found


def _key_indent(edits: Edits, record: Record, path: Path) -> str:
    """The column of the section's keys, from its ``id`` line (``  - id: x`` → 4 spaces)."""
    number = record.line_of("id")
    match = re.match(r"^(\s*(?:-\s+)?)id\s*:", edits.lines[number - 1])
    if match is None:
        raise DocumentSpecError(
            f"section {record['id']!r} is written in flow style; write it as a block mapping "
            "(one field per line) to have its offsets written",
            path=path,
            line=number,
        )
    return " " * len(match.group(1))
