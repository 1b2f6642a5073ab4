"""Checking every file of a corpus at once, as `corpus-tools validate` does.

Each kind of file is read by its own loader, exactly as the notebooks read it, so a file that
passes here loads there. A problem in one file never hides one in another: every file is
checked, and every problem found is reported with its file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CorpusError, DataFileError

__all__ = ["Validation", "validate"]


@dataclass
class Validation:
    """What checking a corpus found: the documents that loaded, and every problem."""

    root: Path
    documents: list[Any] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What loads but needs a person's attention (a stale translation)."""

    @property
    def valid(self) -> bool:
        return not self.problems


def validate(root: Path | str | None = None) -> Validation:
    """Check the documents, glossary, reference translations, tag sets, exercises,
    alignments, answer keys and assignments of the corpus at ``root`` (each kind only where
    its folder exists).

    Returns:
        The documents that loaded and every problem found (empty if the corpus is valid).
    """
    from .corpus import find_corpus_root, load_corpus

    root = Path(root) if root is not None else find_corpus_root()
    report = Validation(root)
    try:
        corpus = load_corpus(root)
    except CorpusError as exc:
        report.problems.append(exc)
        return report
    report.documents = list(corpus.values())
    for folder, checks in _checks(corpus).items():
        if (root / folder).exists() and not (root / folder).is_dir():
            report.problems.append(_not_a_folder(root / folder))
        if not (root / folder).is_dir():
            continue
        for name, check in checks:
            report.checked.append(name)
            try:
                loaded = check()
            except CorpusError as exc:
                if str(exc) not in {str(p) for p in report.problems}:  # one cause, said once
                    report.problems.append(exc)
                continue
            report.notes += _stale_translations(loaded) if name == "translations" else []
    return report


def _stale_translations(references: Any) -> list[str]:
    """A note for each reference translation an update marked stale: it still loads, but it
    translates an earlier version of its paragraph."""
    return [
        f"translations: {e.doc_id} {e.paragraph} is marked stale (its paragraph changed); check "
        "the translation against the new text, then remove its 'stale' and 'old_source'"
        for e in references.stale
    ]


def _not_a_folder(path: Path) -> CorpusError:
    return DataFileError(
        f"the corpus keeps its {path.name} in a folder, but this is a file; move it aside and "
        f"make {path.name}/ a folder",
        path=path,
    )


def _checks(corpus: Any) -> dict[str, list[tuple[str, Callable[[], object]]]]:
    """Per folder, the files to check and how, each check on its own."""
    from .annotate.assignments import load_assignment
    from .annotate.keys import available_keys, load_key
    from .annotate.tagsets import read_tagset
    from .corpus.alignment import load_alignment
    from .corpus.layout import data_files
    from .corpus.references import load_references
    from .exercises import load_exercises
    from .glossary import load_glossary

    root = corpus.root

    def each(folder: str, pattern: str, check: Callable[[Path], object]) -> list:
        paths = data_files(root / folder, pattern) if (root / folder).is_dir() else []
        return [(f"{folder}/{p.name}", lambda p=p: check(p)) for p in paths]

    return {
        "glossary": [("glossary", lambda: load_glossary(corpus))],
        "translations": [("translations", lambda: load_references(corpus))],
        "tagsets": each("tagsets", "*.yaml", read_tagset),
        "exercises": [("exercises", lambda: load_exercises(root / "exercises"))],
        "alignments": each("alignments", "*.yaml", lambda p: load_alignment(corpus, p)),
        "keys": [
            (f"keys/{name}.jsonl", lambda name=name: load_key(name, corpus))
            for name in (available_keys(root / "keys") if (root / "keys").is_dir() else [])
        ],
        "assignments": each("assignments", "*.yaml", lambda p: load_assignment(p, corpus)),
    }
