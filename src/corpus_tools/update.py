"""A new version of a document's source (``corpus-tools update DOC NEW_SOURCE``).

:func:`plan_update` works out, without writing anything, what the new text means for every file
that depends on the old one:

* the sections, found again by their stated words (their offsets ignored), and new text that
  no section covers, drafted as sections with ``FILL IN`` for their kind;
* the answer keys and every annotation file: each annotation kept, moved (found again by its
  quote and context) or orphaned; a quote found elsewhere than the diff of the two texts puts
  it needs review;
* the reference translations: unchanged, stale (the paragraph changed: marked, never dropped),
  or new paragraphs to translate (drafted with ``FILL IN``);
* the alignment, loaded against the new text: its links resolve and cover every sentence;
* the paragraph and sentence ids that exercises, assignments, tag sets and notebooks name:
  each still names the same text, an edited version of it, or needs review.

:func:`apply_update` writes the plan: the new source beside the old one (which stays, and is
named in the document file's ``versions``), the document file with its offsets replaced in
place, the translation file, and an ``edit`` event for every moved annotation.  It refuses while
anything needs review, unless forced, and leaves nothing written if a step fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .annotate.anchoring import find_quote, moved_to
from .annotate.record import Annotation
from .annotate.store import AnnotationStore, is_lock_file
from .corpus.alignment import load_alignment
from .corpus.authoring import Block, blocks, drafted_section, first_words, section_records
from .corpus.datafile import Record, load_yaml, read_bytes, read_text
from .corpus.document import Corpus, Document
from .corpus.load import load_corpus
from .corpus.manifest import FILL_IN, UNIT_PREFIXES, SectionSpec, find_sections
from .corpus.provenance import other_language
from .corpus.textdiff import OffsetMap, counterpart
from .corpus.unit_ids import carried_ids, compress, is_plain
from .corpus.yamledit import Edits, quoted
from .errors import CorpusError, SectionError, UpdateError
from .files import part_beside, write_atomic
from .formatting import shorten

__all__ = [
    "AnnotationChange",
    "DraftedSection",
    "SectionChange",
    "TranslationChange",
    "UnitReference",
    "UpdatePlan",
    "apply_update",
    "plan_update",
]

_UNIT_ID = re.compile(r"(?<![\w-])([ps][0-9]+[a-z]*)(?![\w-])")
"""A paragraph or sentence id as people write it in exercises, tag sets and notebooks."""
_REFERRING = ("exercises", "assignments", "tagsets")
"""The corpus folders whose YAML files may name paragraphs and sentences."""
_TO_TRANSLATE = re.compile(r'"FILL IN: the translation into [a-z]+"')
"""A drafted translation's text, as :func:`_draft_translations` writes it."""
_DRAFT_KIND = "editorial_note"
"""The kind a drafted section is given for working out the plan (the file says FILL IN)."""


@dataclass(frozen=True, slots=True)
class SectionChange:
    """A section of the old version and where its words are in the new one."""

    id: str
    old: tuple[int, int]
    new: tuple[int, int]
    status: str
    """``unchanged``, ``moved`` (same text elsewhere) or ``changed`` (its text differs)."""


@dataclass(frozen=True, slots=True)
class DraftedSection:
    """New text that no section covers, drafted as a section for the instructor to fill in."""

    id: str
    block: Block


@dataclass(frozen=True, slots=True)
class AnnotationChange:
    """One annotation of a key or annotation file, and where it is in the new text."""

    path: Path
    old: Annotation
    new: Annotation | None
    status: str
    """``kept``, ``moved`` (new offsets or context: an edit event), ``orphaned`` or
    ``review`` (its quote is found, but not where the diff of the texts puts it)."""


@dataclass(frozen=True, slots=True)
class TranslationChange:
    """A paragraph's reference translation across the update."""

    paragraph: str
    """The paragraph's id in the new version."""
    status: str
    """``unchanged``, ``stale`` (the paragraph changed; marked) or ``new`` (to translate)."""
    was: str | None = None
    """The paragraph's id in the old version, where it differs."""


@dataclass(frozen=True, slots=True)
class UnitReference:
    """A paragraph or sentence id a file names, and what it names after the update."""

    path: Path
    unit: str
    status: str
    """``same`` (the same text), ``edited`` (the same unit, its text changed), ``shifted``
    (the id now names other text: the old text is ``now``) or ``gone``."""
    now: str | None = None


@dataclass
class UpdatePlan:
    """What updating a document's source to a new version changes (nothing written yet)."""

    doc_id: str
    root: Path
    old_source: str
    new_source: str
    new_bytes: bytes
    sections: list[SectionChange] = field(default_factory=list)
    drafted: list[DraftedSection] = field(default_factory=list)
    annotations: list[AnnotationChange] = field(default_factory=list)
    translations: list[TranslationChange] = field(default_factory=list)
    links: int = 0
    """Alignment links that resolve in the new text."""
    link_changes: list[str] = field(default_factory=list)
    """Links one of whose sentences changed: the relation may need another look."""
    references: list[UnitReference] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    """What needs a person before the update can be applied."""
    files: dict[Path, str] = field(default_factory=dict)
    """The YAML files to replace, with their new text."""
    unit_ids: dict[str, list[str]] = field(default_factory=dict)
    """The ids recorded for the new version where they are not the plain count."""

    @property
    def edits(self) -> dict[Path, list[Annotation]]:
        """The re-anchored annotations to append as edit events, by file."""
        found: dict[Path, list[Annotation]] = {}
        for change in self.annotations:
            if change.status == "moved" and change.new is not None:
                found.setdefault(change.path, []).append(change.new)
        return found

    def summary(self) -> str:
        """The plan as ``corpus-tools update`` prints it."""
        return "\n".join(_summary(self))


def plan_update(
    doc_id: str,
    new_source: Path | str,
    root: Path | str,
    *,
    annotations: Path | str | None = None,
    notebooks: Path | str | None = None,
    today: dt.date | None = None,
) -> UpdatePlan:
    """Work out what a new version of ``doc_id``'s source changes, writing nothing.

    Args:
        new_source: the new text, UTF-8, exactly as it is to be read.
        root: the corpus folder.
        annotations: the folder of students' annotation files (every ``*.jsonl`` in it and
            below); default ``$CORPUS_TOOLS_ANNOTATIONS``, else ``annotations/`` beside the
            corpus folder.
        notebooks: the notebooks whose cells may name units (default ``notebooks/`` beside
            the corpus folder, if there is one).

    Raises:
        UpdateError: the text is the current one, or a section is not found again by its words.
        CorpusError: the corpus, or a file of it, cannot be read.
    """
    root, new_source = Path(root), Path(new_source)
    corpus = load_corpus(root, progress=False)
    doc = corpus[doc_id]
    new_bytes = read_bytes(new_source, what="new source text")
    new_text = read_text(new_source, what="new source text")
    if new_text == doc.text:
        raise UpdateError(f"{new_source} is the text {doc_id} already has; nothing to update")
    plan = UpdatePlan(doc_id, root, doc.manifest.source_path.name, "", new_bytes)
    plan.new_source = _new_source_name(doc, root, new_bytes)
    offsets = OffsetMap.between(doc.text, new_text)
    found = _found_sections(doc, new_text)
    plan.sections = _section_changes(doc, found, new_text)
    plan.drafted = _drafts(doc, found, new_text)
    document_text = _document_file(plan, doc, found, new_text, today or dt.date.today())
    with _staging_cache(corpus, doc_id) as cache:
        with _staged(plan, doc, document_text(_DRAFT_KIND, {}), cache) as numbered:
            unit_ids = _carried_unit_ids(doc, numbered[doc_id], offsets)
        plan.unit_ids = unit_ids
        with _staged(plan, doc, document_text(_DRAFT_KIND, unit_ids), cache) as staged:
            new_doc = staged[doc_id]
            plan.files[doc.manifest.path] = document_text(None, unit_ids)
            plan.annotations = _annotation_changes(doc, new_text, offsets, root, annotations)
            _plan_translations(plan, doc, new_doc, offsets)
            _plan_alignment(plan, corpus, staged, doc)
            plan.references = _references(doc, new_doc, offsets, root, notebooks)
    plan.review += _review(plan)
    plan.review += _validation_problems(plan, doc, document_text(_DRAFT_KIND, unit_ids))
    return plan


# --- sections -------------------------------------------------------------------------------


def _new_source_name(doc: Document, root: Path, new_bytes: bytes) -> str:
    """``<id>.v<n>.txt``, n counting the versions; refuses to overwrite another text."""
    name = f"{doc.id}.v{len(doc.manifest.versions) + 2}.txt"
    target = root / "sources" / name
    if target.exists() and target.read_bytes() != new_bytes:
        raise UpdateError(
            f"{target} exists and holds another text; move it aside or remove it", path=target
        )
    return name


def _found_sections(doc: Document, new_text: str) -> list[SectionSpec]:
    try:
        return find_sections(doc.manifest.path, new_text)
    except SectionError as exc:
        raise UpdateError(
            f"a section is not found again in the new text by its words: {exc.reason}; state "
            "words the new text still has (begins and ends, or text) in the document file, "
            "then run the update again",
            path=exc.path,
            line=exc.line,
        ) from exc


def _section_changes(doc: Document, found: list[SectionSpec], new_text: str) -> list[SectionChange]:
    old = {s.id: s for s in doc.manifest.sections}
    changes = []
    for spec in found:
        before = old[spec.id]
        if doc.text[before.start : before.end] != new_text[spec.start : spec.end]:
            status = "changed"
        elif (before.start, before.end) == (spec.start, spec.end):
            status = "unchanged"
        else:
            status = "moved"
        changes.append(
            SectionChange(spec.id, (before.start, before.end), (spec.start, spec.end), status)
        )
    return changes


def _drafts(doc: Document, found: list[SectionSpec], new_text: str) -> list[DraftedSection]:
    """New text between the top-level sections, one drafted section per block of it."""
    taken = {s.id for s in doc.manifest.sections}
    drafted, previous = [], 0
    top = sorted((s for s in found if s.depth == 0), key=lambda s: s.start)
    for start, end in [*((s.start, s.end) for s in top), (len(new_text), len(new_text))]:
        gap = new_text[previous:start]
        for block in blocks(gap) if gap.strip() else []:
            number = len(drafted) + 1
            while f"added-{number}" in taken:
                number += 1
            taken.add(f"added-{number}")
            shifted = Block(block.start + previous, block.end + previous, block.text,
                            block.language)  # fmt: skip
            drafted.append(DraftedSection(f"added-{number}", shifted))
        previous = max(previous, end)
    return drafted


# --- the document file ----------------------------------------------------------------------


def _document_file(
    plan: UpdatePlan, doc: Document, found: list[SectionSpec], new_text: str, today: dt.date
) -> Callable[[str | None, dict[str, list[str]]], str]:
    """A function giving the document file's new text: the source and its hash, the version
    replaced, each stated offset and the drafted sections, every other line as it is.  With
    ``draft_kind``, drafted sections get that kind instead of ``FILL IN`` (to plan with)."""
    path = doc.manifest.path
    original = read_text(path, what="document file")
    record = load_yaml(path, what="document file")
    spans = {s.id: (s.start, s.end) for s in found}

    def text(draft_kind: str | None, unit_ids: dict[str, list[str]]) -> str:
        edits = Edits(original, path)
        edits.replace_value(record.line_of("source"), "source", plan.new_source)
        sha = hashlib.sha256(new_text.encode("utf-8")).hexdigest()
        edits.replace_value(record.line_of("sha256"), "sha256", sha)
        _add_version(edits, record, doc, today)
        _write_unit_ids(edits, record, unit_ids)
        for section in section_records(record):
            start, end = spans[str(section["id"])]
            if "start" in section:
                edits.replace_value(section.line_of("start"), "start", str(start))
            if "end" in section:
                edits.replace_value(section.line_of("end"), "end", str(end))
        _add_drafts(edits, record, plan.drafted, spans, draft_kind)
        return edits.text()

    return text


def _add_version(edits: Edits, record: Record, doc: Document, today: dt.date) -> None:
    """Name the version being replaced first in ``versions`` (made after ``sha256`` if new)."""
    manifest = doc.manifest
    item = [
        f"  - source: {manifest.source_path.name}",
        f"    sha256: {manifest.sha256}",
        f"    replaced: {today.isoformat()}",
    ]
    if "versions" in record:
        edits.insert(record.line_of("versions") + 1, item)
    else:
        header = "versions:  # earlier versions of the source, newest first; each stays in sources/"
        edits.insert(record.line_of("sha256") + 1, [header, *item])


def _write_unit_ids(edits: Edits, record: Record, unit_ids: dict[str, list[str]]) -> None:
    """Record the ids that differ from the plain count (``unit_ids``), in place of the old."""
    lines = [f"  {layer}: {compress(ids)}" for layer, ids in unit_ids.items()]
    if lines:
        lines.insert(0, "unit_ids:  # kept by corpus-tools update: each id names the same text")
    if "unit_ids" in record:
        first = record.line_of("unit_ids")
        block = record["unit_ids"]
        last = (
            max([first, *(block.line_of(k) for k in block)]) if isinstance(block, Record) else first
        )
        edits.remove(first, last)
        edits.insert(first, lines)
    elif lines:
        edits.insert(record.line_of("sha256") + 1, lines)


def _carried_unit_ids(doc: Document, new_doc: Document, offsets: OffsetMap) -> dict[str, list[str]]:
    """Per layer, the ids the new version's units get where they are not the plain count: an
    old unit's id stays with its text, a new unit gets a lettered id (see :mod:`.unit_ids`)."""
    found = {}
    for layer, prefix in UNIT_PREFIXES.items():
        old_units, new_units = list(getattr(doc, layer)), list(getattr(new_doc, layer))
        continues: list[int | None] = [None] * len(new_units)
        for row, unit in enumerate(old_units):
            new = counterpart(unit, new_units, offsets)
            if new is not None and continues[new.index] is None:
                continues[new.index] = row
        ids = carried_ids([u.id for u in old_units], continues, prefix)
        if not is_plain(ids, prefix):
            found[layer] = ids
    return found


def _add_drafts(
    edits: Edits,
    record: Record,
    drafted: list[DraftedSection],
    spans: dict[str, tuple[int, int]],
    draft_kind: str | None,
) -> None:
    """Each drafted section before the top-level section that follows it, or at the end."""
    top = [item for item in record["sections"] if isinstance(item, Record)]
    indent = edits.indent_of(top[0].line_of("id")) if top else "  "
    for draft in drafted:
        lines = drafted_section(draft.id, draft.block, indent)
        if draft_kind is None:
            lines[1] = f"{indent}  kind: {quoted(FILL_IN + ': a kind (see corpus/README.md)')}"
        else:
            lines[1] = f"{indent}  kind: {draft_kind}"
        following = [s for s in top if spans[str(s["id"])][0] >= draft.block.end]
        if following:
            edits.insert(following[0].line_of("id"), [*lines, ""])
        else:
            edits.insert(edits.end, ["", *lines])


@contextmanager
def _staging_cache(corpus: Corpus, doc_id: str) -> Iterator[Path]:
    """A temporary layer cache holding the document's cached layers, from which the new
    version takes those of the paragraphs it keeps."""
    with tempfile.TemporaryDirectory(prefix="corpus-tools-update-cache-") as folder:
        for path in corpus.cache.layers_files().get(doc_id, []) if corpus.cache else []:
            with suppress(OSError):  # one that cannot be read is only segmented again
                shutil.copyfile(path, Path(folder) / path.name)
        yield Path(folder)


@contextmanager
def _staged(plan: UpdatePlan, doc: Document, document_text: str, cache: Path) -> Iterator[Corpus]:
    """A corpus in a temporary folder with only the new version of the document, its layers
    kept in ``cache``."""
    with tempfile.TemporaryDirectory(prefix="corpus-tools-update-") as folder:
        staged = Path(folder) / "corpus"
        (staged / "documents").mkdir(parents=True)
        (staged / "sources").mkdir()
        (staged / "documents" / doc.manifest.path.name).write_text(document_text, "utf-8")
        (staged / "sources" / plan.new_source).write_bytes(plan.new_bytes)
        for name in [doc.manifest.source_path.name, *(v.source for v in doc.manifest.versions)]:
            shutil.copyfile(plan.root / "sources" / name, staged / "sources" / name)
        yield load_corpus(staged, cache_dir=cache, workers=1, progress=False)


# --- annotations ----------------------------------------------------------------------------


def _annotation_files(root: Path, annotations: Path | str | None) -> list[Path]:
    """The answer keys and every annotation file under the annotations folder."""
    folder = Path(
        annotations or os.environ.get("CORPUS_TOOLS_ANNOTATIONS") or root.parent / "annotations"
    )
    keys = sorted((root / "keys").glob("*.jsonl")) if (root / "keys").is_dir() else []
    found = sorted(folder.rglob("*.jsonl")) if folder.is_dir() else []
    unique = {path.resolve(): path for path in [*keys, *found] if not is_lock_file(path)}
    return list(unique.values())


def _annotation_changes(
    doc: Document, new_text: str, offsets: OffsetMap, root: Path, annotations: Path | str | None
) -> list[AnnotationChange]:
    changes = []
    for path in _annotation_files(root, annotations):
        for annotation in AnnotationStore(path).load().annotations:
            if annotation.doc_id == doc.id:
                changes.append(_reanchored(path, annotation, new_text, offsets))
    return changes


def _reanchored(
    path: Path, annotation: Annotation, new_text: str, offsets: OffsetMap
) -> AnnotationChange:
    """Where the annotation's quote is in the new text, checked against the diff."""
    start = find_quote(new_text, annotation)
    if start is None:
        return AnnotationChange(path, annotation, None, "orphaned")
    moved = moved_to(annotation, new_text, start)
    if not _where_expected(annotation, start, offsets):
        return AnnotationChange(path, annotation, moved, "review")
    return AnnotationChange(path, annotation, moved, "kept" if moved == annotation else "moved")


def _where_expected(annotation: Annotation, start: int, offsets: OffsetMap) -> bool:
    """Whether the quote was found where the changes of the text put it: exactly there, for
    an unchanged span; within what replaced it, for a changed one."""
    if offsets.intact(annotation.start, annotation.end):
        return start == offsets.point(annotation.start)
    end = start + len(annotation.exact)
    return offsets.point(annotation.start) <= start and end <= offsets.end(annotation.end)


# --- translations ---------------------------------------------------------------------------


def _plan_translations(
    plan: UpdatePlan, doc: Document, new_doc: Document, offsets: OffsetMap
) -> None:
    """Mark stale the translations of changed paragraphs, draft those of new ones."""
    path = plan.root / "translations" / f"{doc.id}.yaml"
    if not path.is_file():
        return
    record = load_yaml(path, what="translation file")
    entries = [e for e in record.get("paragraphs") or [] if isinstance(e, Record)]
    edits = Edits(read_text(path, what="translation file"), path)
    new_paragraphs = list(new_doc.paragraphs)
    translated: dict[str, Record] = {}
    for entry in entries:
        change = _translation_change(entry, doc, new_paragraphs, offsets, edits)
        if change is None:
            plan.review.append(
                f"{path.name} line {entry.line}: the text of {entry.get('paragraph')} is gone "
                "from the new version; delete its translation"
            )
            continue
        plan.translations.append(change)
        translated[change.paragraph] = entry
    _draft_translations(plan, new_paragraphs, translated, entries, edits)
    plan.files[path] = edits.text()


def _translation_change(
    entry: Record, doc: Document, new_paragraphs: list[Any], offsets: OffsetMap, edits: Edits
) -> TranslationChange | None:
    old_id = str(entry.get("paragraph"))
    try:
        old = doc.paragraphs[old_id]
    except CorpusError:
        return None
    new = counterpart(old, new_paragraphs, offsets)
    if new is None:
        return None
    if new.id != old_id:
        edits.replace_value(entry.line_of("paragraph"), "paragraph", new.id)
    begins = entry.get("begins")
    if isinstance(begins, str) and not new.text.startswith(begins):
        edits.replace_value(
            entry.line_of("begins"),
            "begins",
            quoted(first_words(new.text, max(1, len(begins.split())))),
        )
    if new.text == old.text:
        return TranslationChange(new.id, "unchanged", old_id if new.id != old_id else None)
    if not entry.get("stale"):
        indent = " " * (len(edits.lines[entry.line_of("text") - 1]) -
                        len(edits.lines[entry.line_of("text") - 1].lstrip()))  # fmt: skip
        edits.insert(entry.line_of("text"), [
            f"{indent}stale: true  # the paragraph changed: check the translation, then remove "
            "this line and old_source",
            f"{indent}old_source: {quoted(old.text)}",
        ])  # fmt: skip
    return TranslationChange(new.id, "stale", old_id if new.id != old_id else None)


def _draft_translations(
    plan: UpdatePlan,
    new_paragraphs: list[Any],
    translated: dict[str, Record],
    entries: list[Record],
    edits: Edits,
) -> None:
    """An entry saying ``FILL IN`` for every paragraph without a translation, before the entry
    of the paragraph that follows it (or at the end)."""
    indent = edits.indent_of(entries[0].line) if entries else "  "
    for position, paragraph in enumerate(new_paragraphs):
        if paragraph.id in translated:
            continue
        target = other_language(paragraph.language)
        lines = [
            f"{indent}- paragraph: {paragraph.id}",
            f"{indent}  begins: {quoted(first_words(paragraph.text, 4))}",
            f"{indent}  from: {paragraph.language}",
            f"{indent}  to: {target}",
            f"{indent}  text: {quoted(FILL_IN + f': the translation into {target}')}",
        ]
        later = [p.id for p in new_paragraphs[position + 1 :] if p.id in translated]
        if later:
            edits.insert(translated[later[0]].line, [*lines, ""])
        else:
            edits.insert(edits.end, ["", *lines])
        plan.translations.append(TranslationChange(paragraph.id, "new"))


# --- alignment and unit references ----------------------------------------------------------


def _plan_alignment(plan: UpdatePlan, corpus: Corpus, staged: Corpus, doc: Document) -> None:
    path = plan.root / "alignments" / f"{doc.id}.yaml"
    if not path.is_file():
        return
    try:
        old = load_alignment(corpus, path)
        new = load_alignment(staged, path)
    except CorpusError as exc:
        plan.review.append(f"the alignment does not fit the new text: {exc}")
        return
    plan.links = len(new.links)
    for before, after in zip(old.links, new.links, strict=True):
        for side in ("us", "russian"):
            was, now = getattr(before, side), getattr(after, side)
            if was is not None and now is not None and was.text != now.text:
                plan.link_changes.append(
                    f"{path.name} line {after.line}: {side} sentence {now.id} now reads "
                    f"{shorten(now.text)!r}; check the relation {after.relation!r}"
                )


def _references(
    doc: Document,
    new_doc: Document,
    offsets: OffsetMap,
    root: Path,
    notebooks: Path | str | None,
) -> list[UnitReference]:
    """Every paragraph and sentence id the files name, and what it names after the update."""
    layers = {"p": (doc.paragraphs, list(new_doc.paragraphs)),
              "s": (doc.sentences, list(new_doc.sentences))}  # fmt: skip
    found = []
    for path, text in _referring_texts(doc.id, root, notebooks):
        for unit_id in dict.fromkeys(m.group(1) for m in _UNIT_ID.finditer(text)):
            old_layer, new_units = layers[unit_id[0]]
            try:
                old = old_layer[unit_id]
            except CorpusError:
                continue  # not a unit of this document
            found.append(_reference(path, unit_id, old, counterpart(old, new_units, offsets)))
    return found


def _reference(path: Path, unit_id: str, old: Any, new: Any) -> UnitReference:
    if new is None:
        return UnitReference(path, unit_id, "gone")
    if new.id != unit_id:
        return UnitReference(path, unit_id, "shifted", new.id)
    return UnitReference(path, unit_id, "same" if new.text == old.text else "edited")


def _referring_texts(
    doc_id: str, root: Path, notebooks: Path | str | None
) -> Iterator[tuple[Path, str]]:
    """The texts that may name units: exercises, tag sets, the document's assignments, and the
    notebooks' cells (not their outputs)."""
    for folder in _REFERRING:
        for path in sorted((root / folder).glob("*.yaml")) if (root / folder).is_dir() else []:
            named = (
                load_yaml(path, what="data file").get("document")
                if folder == "assignments"
                else None
            )
            if named in (None, doc_id):
                yield path, read_text(path, what="data file")
    folder = Path(notebooks) if notebooks is not None else root.parent / "notebooks"
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        cells = json.loads(read_text(path, what="notebook")).get("cells", [])
        yield path, "\n".join("".join(cell.get("source", "")) for cell in cells)


# --- review and summary ---------------------------------------------------------------------


def _validation_problems(plan: UpdatePlan, doc: Document, document_text: str) -> list[str]:
    """What ``validate`` would report after the update (the ``FILL IN`` left aside), found by
    applying it to a copy of the corpus."""
    from .validation import validate

    with tempfile.TemporaryDirectory(prefix="corpus-tools-update-") as folder:
        copy = Path(folder) / plan.root.name
        shutil.copytree(plan.root, copy, ignore=shutil.ignore_patterns(".cache"))
        (copy / "sources" / plan.new_source).write_bytes(plan.new_bytes)
        for path, text in plan.files.items():
            text = document_text if path == doc.manifest.path else text
            filled = _TO_TRANSLATE.sub(quoted("(to be translated)"), text)
            (copy / path.relative_to(plan.root)).write_text(filled, "utf-8", newline="")
        for path, annotations in plan.edits.items():
            if path.is_relative_to(plan.root):
                AnnotationStore(copy / path.relative_to(plan.root)).edit_many(annotations)
        problems = validate(copy).problems
        return [
            "after the update, validate would report: "
            + str(problem).replace(str(copy), str(plan.root))
            for problem in problems
        ]


def _review(plan: UpdatePlan) -> list[str]:
    found = []
    keys = plan.root / "keys"
    for change in plan.annotations:
        where = f"{change.path.name}: {change.old.id} “{shorten(change.old.exact)}”"
        if change.status == "review" and change.new is not None:
            found.append(
                f"{where} is found at [{change.new.start}, {change.new.end}), but the changes "
                "of the text put it elsewhere; check it after the update"
            )
        elif change.status == "orphaned" and change.path.parent == keys:
            found.append(f"{where} of the answer key quotes text the new version lacks: tag again")
    for ref in plan.references:
        if ref.status == "shifted":
            found.append(
                f"{ref.path.name} names {ref.unit}, whose text is now {ref.now}; {ref.unit} now "
                "names other text"
            )
        elif ref.status == "gone":
            found.append(f"{ref.path.name} names {ref.unit}, whose text the new version lacks")
    return found


def _summary(plan: UpdatePlan) -> Iterator[str]:
    yield f"update {plan.doc_id}: {plan.old_source} → sources/{plan.new_source}"
    counts = _counted(c.status for c in plan.sections)
    yield f"sections: {counts}"
    for change in plan.sections:
        if change.status != "unchanged":
            yield f"  {change.status:9} {change.id} {list(change.old)} → {list(change.new)}"
    for draft in plan.drafted:
        yield (
            f"  new text  {draft.id} {[draft.block.start, draft.block.end]} "
            f"{shorten(draft.block.text)!r}: drafted, its kind FILL IN"
        )
    by_file: dict[Path, list[AnnotationChange]] = {}
    for change in plan.annotations:
        by_file.setdefault(change.path, []).append(change)
    for path, changes in by_file.items():
        yield f"annotations {_shown_path(path, plan.root)}: {_counted(c.status for c in changes)}"
        for change in changes:
            if change.status != "kept":
                yield f"  {change.status:9} {_shown_change(change)}"
    if plan.translations:
        yield f"translations: {_counted(t.status for t in plan.translations)}"
        for t in plan.translations:
            if t.status != "unchanged" or t.was:
                was = f" (was {t.was})" if t.was else ""
                what = {"stale": "marked stale", "new": "drafted, its text FILL IN"}
                yield f"  {t.status:9} {t.paragraph}{was}: {what.get(t.status, 'renumbered')}"
    for layer, ids in plan.unit_ids.items():
        yield f"{layer}' ids kept for their text (unit_ids): {compress(ids)}"
    yield f"alignment: {plan.links} links resolve in the new text"
    yield from (f"  check     {line}" for line in plan.link_changes)
    yield f"unit references: {_counted(r.status for r in plan.references)}"
    for ref in plan.references:
        if ref.status != "same":
            now = f" (now {ref.now})" if ref.now else ""
            yield f"  {ref.status:9} {ref.unit}{now} in {_shown_path(ref.path, plan.root)}"
    yield f"needs review: {len(plan.review) or 'nothing'}"
    yield from (f"  {line}" for line in plan.review)


def _counted(statuses: Iterator[str] | Any) -> str:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items()) or "none"


def _shown_path(path: Path, root: Path) -> str:
    for base in (root, root.parent):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return f"{path.parent.name}/{path.name}"


def _shown_change(change: AnnotationChange) -> str:
    old, new = change.old, change.new
    where = f"[{old.start}, {old.end})" + (f" → [{new.start}, {new.end})" if new else "")
    return f"{old.id} “{shorten(old.exact)}” {where}"


# --- applying -------------------------------------------------------------------------------


def apply_update(plan: UpdatePlan, *, force: bool = False) -> list[Path]:
    """Write the plan: the new source, the YAML files, and the annotations' edit events.

    Returns:
        The files written or appended to.

    Raises:
        UpdateError: something needs review (without ``force``), or a write failed (then
            nothing of the update is left written).
    """
    if plan.review and not force:
        raise UpdateError(
            f"{len(plan.review)} thing(s) need review before the update is applied (the dry "
            "run lists them); resolve them, or apply anyway with --force and resolve them after"
        )
    source = plan.root / "sources" / plan.new_source
    had_source = source.exists()
    parts: dict[Path, Path] = {}
    appended: dict[Path, int] = {}
    try:
        for path, text in plan.files.items():
            parts[path] = part_beside(path)
            parts[path].write_text(text, encoding="utf-8", newline="")
        if not had_source:
            write_atomic(source, plan.new_bytes)  # byte for byte: never a changed quote or space
        for path, annotations in plan.edits.items():
            appended[path] = path.stat().st_size
            AnnotationStore(path).edit_many(annotations)
        for path, part in parts.items():
            os.replace(part, path)
    except (OSError, CorpusError) as exc:
        _undo(parts, appended, None if had_source else source)
        raise UpdateError(f"the update could not be written ({exc}); nothing was changed") from exc
    return [source, *plan.files, *plan.edits]


def _undo(parts: dict[Path, Path], appended: dict[Path, int], source: Path | None) -> None:
    for part in parts.values():
        part.unlink(missing_ok=True)
    for path, size in appended.items():
        with path.open("r+b") as handle:
            handle.truncate(size)
    if source is not None:
        source.unlink(missing_ok=True)
