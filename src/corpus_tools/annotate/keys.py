"""Instructors' answer keys: gold annotations in ``corpus/keys/<tag set id>.jsonl``.

A key is an annotation file like any student's (written by :class:`AnnotationStore`), named
after the tag set it uses.  Loading a student's file is forgiving; loading a key is strict: a
damaged line, an annotation whose quote no longer matches the text (moved or orphaned), a tag
set, tag or attribute the file's tag set does not define, a missing attribute, or a span outside
the sections the tag set applies to stops the load with the file and line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus.datafile import named_file, read_bytes, require_ordinary_file
from ..corpus.layout import data_files
from ..errors import AnswerKeyError, TagSetError
from ..formatting import shorten
from .record import Annotation
from .store import AnnotationStore, LoadReport
from .tagsets import TagSet, load_tagsets

if TYPE_CHECKING:
    from ..corpus import Corpus, Document

__all__ = ["KEY_SUFFIX", "available_keys", "check_key_load", "key_file", "load_key"]

KEY_SUFFIX = ".jsonl"
"""A key's file name is its tag set's id with this suffix."""
_QUOTE_SHOWN = 40
"""Characters of an annotation's quote shown in an error message."""


def available_keys(folder: Path | str | None = None) -> list[str]:
    """The names of the answer keys (their tag set ids), sorted.

    Args:
        folder: where the keys are (default: ``keys/`` in the corpus folder).

    Returns:
        The stem of every ``*.jsonl`` file in ``folder``; none if the folder does not exist.
    """
    if folder is None:
        from ..corpus import find_corpus_root

        folder = find_corpus_root() / "keys"
    return sorted(
        path.name.removesuffix(KEY_SUFFIX) for path in data_files(Path(folder), "*.jsonl")
    )


def load_key(
    name_or_path: str | Path, corpus: Corpus | None = None, *, folder: Path | str | None = None
) -> list[Annotation]:
    """The annotations of an answer key, each checked strictly against the text and its tag set.

    Args:
        name_or_path: a key of the corpus by name, which is the id of the tag set it uses
            (``"diplomatic-discourse"`` reads ``keys/diplomatic-discourse.jsonl``), or the path
            of a key file anywhere (its tag set is the one its name or its annotations give).
        corpus: the corpus the key annotates (default: :func:`corpus_tools.load_corpus`); its
            ``tagsets/`` define the labels.
        folder: where keys named without a path are (default: ``keys/`` in the corpus folder).

    Returns:
        The key's annotations, sorted by document, start, end and tag.

    Raises:
        AnswerKeyError: no such key or tag set, an empty key, or any annotation that does not
            load, anchor exactly and fit its tag set; the message names the file and line.
    """
    if corpus is None:
        from ..corpus import load_corpus

        corpus = load_corpus()
    keys = Path(folder) if folder is not None else corpus.root / "keys"
    path, by_path = _located_key(name_or_path, keys)
    report = AnnotationStore(path).load({doc_id: corpus[doc_id].text for doc_id in corpus})
    lines = check_key_load(report, corpus)
    if not report.annotations:
        raise AnswerKeyError("the key holds no annotations; a key needs at least one", path=path)
    tagset = _tagset(path, report.annotations, corpus, by_path=by_path)
    for annotation in report.annotations:
        line = lines.get(annotation.id)
        _check_annotation(annotation, tagset, corpus[annotation.doc_id], path, line)
    return sorted(report.annotations, key=lambda a: (a.doc_id, a.start, a.end, a.tag))


def key_file(name_or_path: str | Path, keys: Path) -> Path:
    """The file of a key given by name (in the folder ``keys``) or by path.

    Raises:
        AnswerKeyError: there is no such file (the message lists the keys there are).
    """
    return _located_key(name_or_path, keys)[0]


def _located_key(name_or_path: str | Path, keys: Path) -> tuple[Path, bool]:
    path, by_path = named_file(name_or_path, keys, KEY_SUFFIX)
    if not path.is_file():
        if os.path.lexists(path):
            require_ordinary_file(path, what="answer key")
        known = ", ".join(available_keys(keys)) or "none"
        what = "no such answer key file" if by_path else f"no answer key {str(name_or_path)!r} here"
        raise AnswerKeyError(
            f"{what}; give the path of a key file or the name of a key of the corpus "
            f"(available keys: {known})",
            path=path,
        )
    return path, by_path


def _tagset(path: Path, annotations: list[Annotation], corpus: Corpus, *, by_path: bool) -> TagSet:
    """The tag set a key uses: the one its file is named after, else (for a key given by path)
    the one tag set its annotations name."""
    tagsets = load_tagsets(corpus.root / "tagsets")
    name = path.name.removesuffix(KEY_SUFFIX)
    if name in tagsets:
        return tagsets[name]
    used = sorted({a.tagset for a in annotations})
    if by_path and len(used) == 1 and used[0] in tagsets:
        return tagsets[used[0]]
    raise AnswerKeyError(
        f"a key is named after its tag set, but there is no tag set {name!r}; "
        f"rename the file to one of: {', '.join(sorted(tagsets))}",
        path=path,
    )


def _event_lines(path: Path) -> dict[str, int]:
    """The line of each annotation's last ``add`` or ``edit`` event, by annotation id."""
    lines: dict[str, int] = {}
    for number, raw in enumerate(read_bytes(path, what="answer key").splitlines(), start=1):
        try:
            lines[str(json.loads(raw)["annotation"]["id"])] = number
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            continue  # damaged lines and deletions are reported by the store's LoadReport
    return lines


def check_key_load(report: LoadReport, documents: Container[str]) -> dict[str, int]:
    """Stop at the first damaged or doubtful line, orphan or moved annotation of a key's load: a
    key must load without any of them.

    Args:
        report: the key file's load, checked against the documents' texts.
        documents: the ids of the documents there are.

    Returns:
        The line of each annotation's last event, by annotation id (for later messages).

    Raises:
        AnswerKeyError: the first problem, with the key's file and line.
    """
    lines = _event_lines(report.path)
    problems = sorted([*report.skipped, *report.warnings], key=lambda p: p.line)
    if problems:
        first, more = problems[0], len(problems) - 1
        also = f" ({more} more damaged lines after it)" if more else ""
        raise AnswerKeyError(
            f"{first.reason}{also}; an answer key must load without problems: "
            "repair or delete the line",
            path=report.path,
            line=first.line,
        )
    for orphan in report.orphans:
        if orphan.doc_id not in documents:
            reason = f"is for document {orphan.doc_id!r}, which the corpus does not have"
        else:
            reason = (
                f"quotes text that is no longer in document {orphan.doc_id!r}, or no longer "
                "amid the words its prefix and suffix record; the text changed: tag the passage "
                "again"
            )
        raise AnswerKeyError(
            f"annotation {_shown(orphan)} {reason}", path=report.path, line=lines.get(orphan.id)
        )
    for moved in report.moved:
        raise AnswerKeyError(
            f"annotation {moved.id} is not at [{moved.old[0]}, {moved.old[1]}) but its quote was "
            f"found at [{moved.new[0]}, {moved.new[1]}); a key must anchor exactly: "
            "correct its offsets",
            path=report.path,
            line=lines.get(moved.id),
        )
    return lines


def _check_annotation(
    annotation: Annotation, tagset: TagSet, doc: Document, path: Path, line: int | None
) -> None:
    """Raise unless the annotation uses this tag set as it is now, completely, where it applies."""

    def fail(reason: str) -> AnswerKeyError:
        return AnswerKeyError(f"annotation {_shown(annotation)} {reason}", path=path, line=line)

    if annotation.tagset != tagset.id:
        raise fail(f"uses tag set {annotation.tagset!r}; this file is the key for {tagset.id!r}")
    if annotation.tagset_version != tagset.version:
        raise fail(
            f"was made with version {annotation.tagset_version} of the tag set, which is now at "
            f"version {tagset.version}: review it against the changed labels"
        )
    try:
        tagset.label(annotation.tag)
    except TagSetError as exc:
        raise fail(f"has an unknown tag: {exc.reason}") from exc
    for attribute, value in annotation.attributes.items():
        if value not in tagset.attributes.get(attribute, ()):
            raise fail(f"has {attribute}={value!r}; the tag set allows {dict(tagset.attributes)}")
    for attribute, values in tagset.attributes.items():
        if attribute not in annotation.attributes:
            raise fail(f"has no {attribute}; a key gives every attribute: one of {list(values)}")
    if not _applies(annotation, tagset, doc):
        raise fail(
            f"lies outside every section tag set {tagset.id!r} applies to "
            f"(kinds {sorted(tagset.kinds)}, languages {sorted(tagset.languages)})"
        )


def _applies(annotation: Annotation, tagset: TagSet, doc: Document) -> bool:
    return any(
        section.start <= annotation.start
        and annotation.end <= section.end
        and tagset.applies_to(section.kind, section.language)
        for section in doc.sections
    )


def _shown(annotation: Annotation) -> str:
    return f"{annotation.id} (“{shorten(annotation.exact, _QUOTE_SHOWN)}”)"
