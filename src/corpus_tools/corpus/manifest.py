"""A document's manifest: ``corpus/documents/<id>.yaml`` read and checked against its source.

The manifest states the document's metadata and its sections as character spans, each
with the words it begins and ends with, so that a wrong offset is caught at load time.
Top-level sections must tile the text; whitespace between them becomes ``separator``
sections, so the sections reconstruct the source exactly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import DataFileError, DocumentSpecError, SectionError, SourceError
from ..formatting import shorten
from .datafile import Fields, Record, load_yaml, read_bytes, read_text, resolved
from .provenance import (
    LANGUAGES,
    ORIGIN_ROLES,
    SECTION_KINDS,
    SEGMENTED_LANGUAGES,
    SEPARATOR,
    TRANSLATION_METHODS,
    UNKNOWN,
    Provenance,
    Translation,
)
from .unit_ids import expand as expand_ids

__all__ = [
    "FILL_IN",
    "PARAGRAPH_MODES",
    "DocumentManifest",
    "SectionSpec",
    "Version",
    "find_sections",
    "read_manifest",
]

PARAGRAPH_MODES = {
    "lines": "every non-blank line is a paragraph",
    "blank_lines": "paragraphs are separated by blank lines; single line breaks stay inside",
}
_DOCUMENT_KEYS = {
    "id", "title", "source", "sha256", "language", "date", "date_basis", "origin",
    "description", "paragraphs", "sections", "versions", "unit_ids",
}  # fmt: skip
UNIT_PREFIXES = {"paragraphs": "p", "sentences": "s"}
"""The layers whose ids a document file may record (``unit_ids``), with their prefix."""
_VERSION_KEYS = {"source", "sha256", "replaced"}
FILL_IN = "FILL IN"
"""What a drafted document file says where only a person can give the value."""
_SECTION_KEYS = {
    "id", "kind", "start", "end", "text", "begins", "ends", "language", "origin",
    "documents_date", "translation", "note", "sections",
}  # fmt: skip
_TRANSLATION_KEYS = {
    "from", "engine", "method", "stated_in", "original_in_corpus", "from_stated",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """One section as the manifest states it (``parent`` is None at the top level)."""

    id: str
    start: int
    end: int
    depth: int
    parent: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Version:
    """An earlier version of the document's source, kept in ``sources/`` (``versions:``)."""

    source: str
    sha256: str
    replaced: str
    """The date the next version replaced it (YYYY-MM-DD)."""


@dataclass(frozen=True, slots=True)
class DocumentManifest:
    """A validated document: metadata, verbatim text and sections in document order."""

    id: str
    path: Path
    title: str
    source_path: Path
    sha256: str
    text: str
    language: str
    date: str | None
    date_basis: str | None
    origin: tuple[tuple[str, str], ...]
    description: str | None
    paragraph_mode: str
    sections: tuple[SectionSpec, ...]
    versions: tuple[Version, ...] = ()
    """Earlier versions of the source, newest first."""
    unit_ids: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The ids of the paragraphs or sentences, by layer, where an update kept them (see
    :mod:`.unit_ids`); a layer not named numbers its units from 1."""
    unit_ids_line: int = 0

    def ids_of(self, layer: str) -> tuple[str, ...] | None:
        """The recorded ids of a layer's units, or None where they are numbered from 1."""
        return dict(self.unit_ids).get(layer)

    def to_json(self) -> dict[str, Any]:
        """Everything but the text and paths, for the cache of validated manifests."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source_path.name,
            "sha256": self.sha256,
            "language": self.language,
            "date": self.date,
            "date_basis": self.date_basis,
            "origin": self.origin,
            "description": self.description,
            "paragraph_mode": self.paragraph_mode,
            "sections": [
                [s.id, s.start, s.end, s.depth, s.parent, _provenance_json(s.provenance)]
                for s in self.sections
            ],
            "versions": [[v.source, v.sha256, v.replaced] for v in self.versions],
            "unit_ids": [[layer, list(ids)] for layer, ids in self.unit_ids],
            "unit_ids_line": self.unit_ids_line,
        }

    @classmethod
    def from_json(
        cls, data: dict[str, Any], path: Path, sources_dir: Path
    ) -> DocumentManifest | None:
        """A cached manifest, or None if its source is gone or no longer has the recorded hash.

        Raises:
            KeyError, TypeError, ValueError: the cached data is malformed.
        """
        source_path = sources_dir / data["source"]
        if not _inside(source_path, sources_dir):
            return None  # read again, to say so
        try:
            raw = read_bytes(source_path, what="source text")
        except DataFileError:
            return None
        if hashlib.sha256(raw).hexdigest() != data["sha256"]:
            return None
        sections = tuple(
            SectionSpec(id_, start, end, depth, parent, _provenance_from_json(provenance))
            for id_, start, end, depth, parent, provenance in data["sections"]
        )
        return cls(
            id=data["id"],
            path=path,
            title=data["title"],
            source_path=source_path,
            sha256=data["sha256"],
            text=raw.decode("utf-8"),
            language=data["language"],
            date=data["date"],
            date_basis=data["date_basis"],
            origin=tuple(tuple(pair) for pair in data["origin"]),
            description=data["description"],
            paragraph_mode=data["paragraph_mode"],
            sections=sections,
            versions=tuple(Version(*v) for v in data.get("versions", [])),
            unit_ids=tuple((layer, tuple(ids)) for layer, ids in data.get("unit_ids", [])),
            unit_ids_line=data.get("unit_ids_line", 0),
        )


def _provenance_json(provenance: Provenance) -> list[Any]:
    chain = provenance.translation
    return [
        provenance.kind,
        provenance.language,
        provenance.origin,
        provenance.documents_date,
        None if chain is None else [chain.from_language, chain.engine, chain.stated_in,
                                    chain.original_in_corpus, chain.from_stated, chain.method],
        provenance.note,
    ]  # fmt: skip


def _provenance_from_json(data: list[Any]) -> Provenance:
    kind, language, origin, documents_date, chain, note = data
    return _shared_provenance(
        kind, language, tuple(tuple(pair) for pair in origin), documents_date,
        None if chain is None else tuple(chain), note,
    )  # fmt: skip


@lru_cache(maxsize=4096)
def _shared_provenance(
    kind: str,
    language: str,
    origin: tuple[tuple[str, str], ...],
    documents_date: str | None,
    chain: tuple[Any, ...] | None,
    note: str | None,
) -> Provenance:
    """One shared, immutable object per distinct provenance: the sections of a corpus repeat
    a handful of them thousands of times."""
    return Provenance(
        kind=kind,
        language=language,
        origin=origin,
        documents_date=documents_date,
        translation=None if chain is None else Translation(*chain),
        note=note,
    )


def read_manifest(path: Path, sources_dir: Path) -> DocumentManifest:
    """Read and validate one document YAML and its source text.

    Raises:
        DataFileError: the YAML or the source cannot be read.
        DocumentSpecError: a field is missing, unknown or of the wrong type.
        SourceError: the source is missing or its sha256 differs from the recorded one.
        SectionError: a span is out of range, leaves a gap, overlaps, or misstates its text.
    """
    record = load_yaml(path, what="document file")
    _refuse_unfilled(record, path)
    fields = Fields(record, path, "document", DocumentSpecError)
    fields.check_keys(_DOCUMENT_KEYS)
    doc_id = fields.identifier("id")
    if doc_id != path.stem:
        fields.fail("id", f"id {doc_id!r} differs from the file name; rename one to match")
    source_path = _source_path(fields, sources_dir)
    text = _read_source(source_path, fields)
    language = _language(fields, "language", segmented=False)
    origin = _origin(fields.optional("origin", Record), path)
    paragraph_mode = fields.choice("paragraphs", PARAGRAPH_MODES, default="lines")
    document = Provenance(kind="document", language=language, origin=origin)
    parsed = _parse_sections(fields.list("sections"), document, path, _Region(text))
    sections = _tile(parsed, text, path, record.line_of("sections"))
    _check_translation_notes(sections, record, path)
    return DocumentManifest(
        id=doc_id,
        path=path,
        title=fields.string("title"),
        source_path=source_path,
        sha256=fields.string("sha256"),
        text=text,
        language=language,
        date=fields.date("date"),
        date_basis=fields.optional("date_basis", str),
        origin=origin,
        description=fields.optional("description", str),
        paragraph_mode=paragraph_mode,
        sections=sections,
        versions=_versions(fields, sources_dir),
        unit_ids=_unit_ids(fields),
        unit_ids_line=record.line_of("unit_ids"),
    )


def find_sections(path: Path, text: str) -> list[SectionSpec]:
    """The sections of the document file at ``path`` found again in ``text`` (a new version
    of its source) by their stated words alone, their offsets ignored; nested ones included,
    in document order, without checking that they tile ``text``.

    Raises:
        DataFileError: the file cannot be read.
        DocumentSpecError: a field is malformed.
        SectionError: a section's words occur nowhere after the section before it, or in
            several places.
    """
    record = load_yaml(path, what="document file")
    fields = Fields(record, path, "document", DocumentSpecError)
    language = _language(fields, "language", segmented=False)
    document = Provenance(kind="document", language=language)
    parsed = _parse_sections(
        fields.list("sections"), document, path, _Region(text), words_only=True
    )
    return [spec for spec, _ in parsed]


def _versions(fields: Fields, sources_dir: Path) -> tuple[Version, ...]:
    """The earlier versions the document file lists; each must still be in the sources folder,
    unchanged."""
    found = []
    for item in fields.list("versions", default=[]):
        version = Fields(item, fields.path, "version", DocumentSpecError)
        version.check_keys(_VERSION_KEYS)
        path = _source_path(version, sources_dir)
        _read_source(path, version)
        replaced = version.date("replaced")
        if replaced is None:
            version.fail("replaced", "a version needs the date it was 'replaced' (YYYY-MM-DD)")
        found.append(Version(path.name, version.string("sha256"), str(replaced)))
    return tuple(found)


def _unit_ids(fields: Fields) -> tuple[tuple[str, tuple[str, ...]], ...]:
    record = fields.optional("unit_ids", Record)
    if record is None:
        return ()
    layers = Fields(record, fields.path, "unit_ids", DocumentSpecError)
    layers.check_keys(set(UNIT_PREFIXES))
    found = []
    for layer, prefix in UNIT_PREFIXES.items():
        runs = layers.optional(layer, str)
        if runs is None:
            continue
        try:
            found.append((layer, tuple(expand_ids(runs, prefix))))
        except ValueError as exc:
            layers.fail(layer, f"{layer}: {exc}")
    return tuple(found)


def _refuse_unfilled(record: Any, path: Path) -> None:
    """Stop at a draft's ``FILL IN`` values, naming every one of them."""
    unfilled = sorted(_unfilled(record))
    if unfilled:
        listed = "; ".join(f"line {line}: {key}" for line, key in unfilled)
        raise DocumentSpecError(
            f"{len(unfilled)} field(s) still say {FILL_IN!r} ({listed}); replace each with what "
            "the text supports, or 'unknown'",
            path=path,
            line=unfilled[0][0],
        )


def _unfilled(node: Any, where: str = "") -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if isinstance(node, Record):
        for key, value in node.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(value, str) and value.startswith(FILL_IN):
                found.append((node.line_of(key), name))
            found += _unfilled(value, name)
    elif isinstance(node, list):
        for number, item in enumerate(node, start=1):
            label = item.get("id") if isinstance(item, Record) else None
            found += _unfilled(item, f"{where}[{label or number}]")
    return found


def _source_path(fields: Fields, sources_dir: Path) -> Path:
    """The source named by ``source``, which must lie in the sources folder."""
    name = fields.string("source")
    path = sources_dir / name
    if not _inside(path, sources_dir):
        fields.fail(
            "source",
            f"source {name!r} lies outside {sources_dir}; put the text in the sources folder "
            "and give its file name",
            error=SourceError,
        )
    return path


def _inside(path: Path, sources_dir: Path) -> bool:
    """Whether ``path``, with its links followed, lies in the sources folder.  A file named
    directly in the folder that is no link needs no resolving (one ``lstat``, not two
    ``realpath`` walks: this runs for every document at every load)."""
    if path.parent == sources_dir and path.name not in ("", ".", "..") and not path.is_symlink():
        return True
    return resolved(path, what="source").is_relative_to(resolved(sources_dir))


def _read_source(source_path: Path, fields: Fields) -> str:
    if not source_path.exists():
        fields.fail(
            "source",
            f"source text {source_path} does not exist; put the verbatim text in the sources "
            "folder or correct 'source'",
            error=SourceError,
        )
    text = read_text(source_path, what="source text")
    recorded = fields.string("sha256")
    actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if actual != recorded:
        fields.fail(
            "sha256",
            f"source {source_path.name} has sha256 {actual}, but the document records "
            f"{recorded}; sources are never edited, so restore the original text, or, for a new "
            "version, record the new hash and re-check every section's offsets",
            error=SourceError,
        )
    return text


def _parse_sections(
    items: list[Any],
    inherited: Provenance,
    path: Path,
    region: _Region,
    parent: SectionSpec | None = None,
    *,
    words_only: bool = False,
) -> list[tuple[SectionSpec, Record]]:
    """Parse section records, nested ones included, in document (pre-)order; a section stated
    without offsets is found by its words in ``region``, after the section before it."""
    parsed: list[tuple[SectionSpec, Record]] = []
    for number, item in enumerate(items):
        fields = Fields(item, path, "section", DocumentSpecError)
        fields.check_keys(_SECTION_KEYS)
        section_id = fields.identifier("id")
        following = items[number + 1] if number + 1 < len(items) else None
        start, end = _offsets(fields, section_id, region, following, words_only=words_only)
        spec = SectionSpec(
            id=section_id,
            start=start,
            end=end,
            depth=0 if parent is None else parent.depth + 1,
            parent=None if parent is None else parent.id,
            provenance=_provenance(fields, inherited, path, nested=parent is not None),
        )
        parsed.append((spec, item))
        children = fields.list("sections", default=[])
        parsed.extend(
            _parse_sections(
                children, spec.provenance, path, region.inside(spec), spec, words_only=words_only
            )
        )
        region = region.after(max(region.floor, end))
    return parsed


@dataclass(frozen=True, slots=True)
class _Region:
    """Where a section stated only by its words may lie: after the section before it, inside
    its parent."""

    text: str
    floor: int = 0
    ceiling: int | None = None

    @property
    def top(self) -> int:
        return len(self.text) if self.ceiling is None else self.ceiling

    def after(self, floor: int) -> _Region:
        return _Region(self.text, floor, self.ceiling)

    def inside(self, spec: SectionSpec) -> _Region:
        return _Region(self.text, spec.start, spec.end)

    def occurrences(self, words: str) -> list[int]:
        found, position = [], self.text.find(words, self.floor, self.top)
        while position >= 0:
            found.append(position)
            position = self.text.find(words, position + 1, self.top)
        return found

    def line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


def _offsets(
    fields: Fields, section_id: str, region: _Region, following: Any, *, words_only: bool = False
) -> tuple[int, int]:
    """The section's start and end: as given, or found by its stated words (always by its
    words with ``words_only``)."""
    start, end = fields.optional("start", int), fields.optional("end", int)
    if words_only:
        start = end = None
    elif start is not None and end is not None:
        return start, end
    if start is not None or end is not None:
        missing = "end" if end is None else "start"
        fields.fail(
            missing,
            f"section {section_id!r} gives one offset; give both, or neither (then its 'text', "
            "or 'begins' and 'ends', find it)",
        )
    key, candidates = _candidates(fields, section_id, region, following)
    if len(candidates) != 1:
        fields.fail(key, _not_unique(section_id, key, candidates, region), error=SectionError)
    return candidates[0]


def _candidates(
    fields: Fields, section_id: str, region: _Region, following: Any
) -> tuple[str, list[tuple[int, int]]]:
    """Where the stated words put the section: every span that starts with them and, where
    several could end it, the one the next section follows."""
    record = fields.record
    whole, begins, ends = record.get("text"), record.get("begins"), record.get("ends")
    if isinstance(whole, str) and whole:
        return "text", [(s, s + len(whole)) for s in region.occurrences(whole)]
    if not (isinstance(begins, str) and isinstance(ends, str) and begins and ends):
        fields.fail(
            "id",
            f"section {section_id!r} has no offsets; give 'start' and 'end', or state its "
            "'text', or 'begins' and 'ends', to find them by",
        )
    spans = []
    for start in region.occurrences(begins):
        ends_at = region.after(start + max(0, len(begins) - len(ends))).occurrences(ends)
        closing = [e + len(ends) for e in ends_at]
        fitting = [e for e in closing if _next_follows(region, e, following)]
        spans += [(start, e) for e in (fitting or closing[:1])]
    return "begins", spans


def _next_follows(region: _Region, end: int, following: Any) -> bool:
    """Whether only white space lies between ``end`` and the next section (or the end of the
    region, after the last one)."""
    rest = region.text[end : region.top]
    if following is None:
        return not rest.strip()
    words = (
        following.get("text") or following.get("begins") if isinstance(following, dict) else None
    )
    return isinstance(words, str) and bool(words) and rest.lstrip().startswith(words)


def _not_unique(
    section_id: str, key: str, candidates: list[tuple[int, int]], region: _Region
) -> str:
    where = "after the section before it" if region.floor else "in the source"
    if not candidates:
        return (
            f"section {section_id!r}: its stated {key} does not occur {where} (from offset "
            f"{region.floor}); correct it, or give start and end"
        )
    listed = "; ".join(f"line {region.line(s)} (offsets {s} to {e})" for s, e in candidates[:6])
    return (
        f"section {section_id!r}: its stated {key} matches {len(candidates)} places {where}: "
        f"{listed}; state more words, or give start and end"
    )


def _provenance(fields: Fields, inherited: Provenance, path: Path, *, nested: bool) -> Provenance:
    kind = fields.choice("kind", {k: v for k, v in SECTION_KINDS.items() if k != SEPARATOR})
    language = _language(fields, "language", segmented=not nested, default=inherited.language)
    if nested and language != inherited.language:
        fields.fail(
            "language",
            f"a nested section cannot change language ({inherited.language} → {language}); "
            "make it a top-level section",
        )
    origin_record = fields.optional("origin", Record)
    translation_record = fields.optional("translation", Record)
    return Provenance(
        kind=kind,
        language=language,
        origin=_origin(origin_record, path) if origin_record is not None else inherited.origin,
        documents_date=fields.date("documents_date") or inherited.documents_date,
        translation=(
            _translation(translation_record, path, language)
            if translation_record is not None
            else inherited.translation
        ),
        note=fields.optional("note", str),
    )


def _origin(record: Record | None, path: Path) -> tuple[tuple[str, str], ...]:
    if record is None:
        return ()
    fields = Fields(record, path, "origin", DocumentSpecError)
    fields.check_keys(set(ORIGIN_ROLES))
    return tuple((role, fields.string(role)) for role in record)


def _translation(record: Record, path: Path, language: str) -> Translation:
    fields = Fields(record, path, "translation", DocumentSpecError)
    fields.check_keys(_TRANSLATION_KEYS)
    source_language = _language(fields, "from", segmented=False)
    if source_language == language:
        fields.fail("from", f"a translation into {language} cannot be from {language}")
    stated_in = fields.optional("stated_in", str)
    original_in_corpus = fields.optional("original_in_corpus", bool)
    from_stated = fields.optional("from_stated", bool)
    return Translation(
        from_language=source_language,
        engine=fields.string("engine"),
        stated_in=stated_in,
        original_in_corpus=bool(original_in_corpus),
        from_stated=from_stated is not False,
        method=fields.choice("method", TRANSLATION_METHODS, default=UNKNOWN),
    )


def _tile(
    parsed: list[tuple[SectionSpec, Record]], text: str, path: Path, line: int
) -> tuple[SectionSpec, ...]:
    """Check spans and stated texts, fill whitespace gaps with separators, order all sections."""
    if not parsed:
        raise SectionError("'sections' is empty; list at least one section", path=path, line=line)
    ids: dict[str, int] = {}
    by_id: dict[str, SectionSpec] = {}
    level_end: dict[str | None, int] = {}
    ordered: list[SectionSpec] = []
    for spec, record in parsed:
        _check_span(spec, record, text, path, ids)
        by_id[spec.id] = spec
        previous_end = level_end.get(spec.parent, 0)
        if spec.start < previous_end:
            raise SectionError(
                f"section {spec.id!r} starts at {spec.start}, inside the section before it "
                f"(which ends at {previous_end}); sections at one level must be in order and "
                "may not overlap",
                path=path,
                line=record.line_of("start"),
            )
        if spec.parent is None:
            ordered.extend(_separator(text, previous_end, spec.start, path, record))
        else:
            _check_inside(spec, by_id[spec.parent], path, record)
        ordered.append(spec)
        level_end[spec.parent] = spec.end
    ordered.extend(_separator(text, level_end[None], len(text), path, parsed[-1][1]))
    return tuple(ordered)


def _check_inside(spec: SectionSpec, parent: SectionSpec, path: Path, record: Record) -> None:
    if spec.start < parent.start or spec.end > parent.end:
        raise SectionError(
            f"section {spec.id!r} [{spec.start}, {spec.end}) lies outside its parent "
            f"{parent.id!r} [{parent.start}, {parent.end}); nested sections must stay inside "
            "their parent",
            path=path,
            line=record.line_of("start"),
        )


def _check_span(
    spec: SectionSpec, record: Record, text: str, path: Path, ids: dict[str, int]
) -> None:
    if spec.id in ids:
        raise SectionError(
            f"section id {spec.id!r} is already used on line {ids[spec.id]}; ids must be unique",
            path=path,
            line=record.line_of("id"),
        )
    ids[spec.id] = record.line_of("id")
    if not 0 <= spec.start < spec.end <= len(text):
        raise SectionError(
            f"section {spec.id!r} has span [{spec.start}, {spec.end}), but the source has "
            f"{len(text)} characters; expected 0 <= start < end <= {len(text)}",
            path=path,
            line=record.line_of("start"),
        )
    covered = text[spec.start : spec.end]
    if covered != covered.strip():
        raise SectionError(
            f"section {spec.id!r} [{spec.start}, {spec.end}) begins or ends with white space "
            f"({_excerpt(covered)}); move start and end onto the first and last character",
            path=path,
            line=record.line_of("start"),
        )
    _check_stated_text(spec, record, covered, text, path)


def _check_stated_text(
    spec: SectionSpec, record: Record, covered: str, text: str, path: Path
) -> None:
    stated_full = record.get("text")
    begins = stated_full if stated_full is not None else record.get("begins")
    ends = stated_full if stated_full is not None else record.get("ends")
    if not isinstance(begins, str) or not isinstance(ends, str) or not begins or not ends:
        raise DocumentSpecError(
            f"section {spec.id!r} must state its text, as 'text' (all of it) or as 'begins' and "
            "'ends' (its first and last words), so that its offsets can be checked",
            path=path,
            line=record.line,
        )
    checks = (
        ("text", stated_full, covered == stated_full),
        ("begins", begins, covered.startswith(begins)),
        ("ends", ends, covered.endswith(ends)),
    )
    for key, stated, ok in checks:
        if stated is None or ok or (key != "text" and stated_full is not None):
            continue
        found = text.find(stated)
        hint = f"; the stated text occurs at offset {found}" if found >= 0 else ""
        raise SectionError(
            f"section {spec.id!r} [{spec.start}, {spec.end}) reads {_excerpt(covered)}, which "
            f"does not match its stated {key} {_excerpt(stated)}{hint}; correct the offsets or "
            "the stated text",
            path=path,
            line=record.line_of(key if key in record else "text"),
        )


def _separator(text: str, start: int, end: int, path: Path, record: Record) -> list[SectionSpec]:
    if start >= end:
        return []
    gap = text[start:end]
    if gap.strip():
        raise SectionError(
            f"text between offsets {start} and {end} ({_excerpt(gap)}) belongs to no section; "
            "extend a neighbouring section or add one for it",
            path=path,
            line=record.line_of("start"),
        )
    provenance = Provenance(kind=SEPARATOR, language="und")
    return [SectionSpec(f"sep-{start}", start, end, 0, None, provenance)]


def _check_translation_notes(sections: tuple[SectionSpec, ...], record: Record, path: Path) -> None:
    ids = {spec.id for spec in sections}
    for spec in sections:
        chain = spec.provenance.translation
        if chain and chain.stated_in and chain.stated_in not in ids:
            raise DocumentSpecError(
                f"section {spec.id!r} says its translation is stated in section "
                f"{chain.stated_in!r}, which does not exist; name an existing section id",
                path=path,
                line=record.line_of("sections"),
            )


def _excerpt(value: str) -> str:
    return repr(shorten(value))


def _language(fields: Fields, key: str, *, segmented: bool, default: Any = ...) -> str:
    """A language code: one the layers support (``segmented``) or any known one."""
    return fields.choice(key, SEGMENTED_LANGUAGES if segmented else LANGUAGES, default)
