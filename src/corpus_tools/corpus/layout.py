"""Which files of a corpus folder the package reads: an allow-list by folder and name pattern.

It mirrors the loaders (``load_corpus``, ``load_references``, ``load_alignment``,
``load_glossary``, ``load_tagsets``, ``load_assignments``, ``load_key``, ``load_exercises``),
so that a copy made from it (a student release) holds exactly what they read: an editor's
backup (``01_x.yaml~``, ``.bak``, ``.swp``), a hidden file, a file in a subfolder or a folder
of its own (``keys-old/``) is not read, and so is not copied.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DOCUMENTATION", "KEYS", "READ", "corpus_files", "data_files"]

READ: tuple[tuple[str, str], ...] = (
    ("documents", "*.yaml"),
    ("sources", "*.txt"),
    ("translations", "*.yaml"),
    ("alignments", "*.yaml"),
    ("tagsets", "*.yaml"),
    ("assignments", "*.yaml"),
    ("glossary", "terms.yaml"),
    ("glossary", "entities.yaml"),
    ("exercises", "*.yaml"),
    ("keys", "*.jsonl"),
)
"""(folder, pattern) of every file a loader reads."""
KEYS = "keys"
"""The folder of the instructors' answer keys."""
DOCUMENTATION = "README.md"
"""Read by people, not by the package: kept at the top and in every folder of :data:`READ`."""


def data_files(folder: Path, pattern: str) -> list[Path]:
    """The entries of ``folder`` matching ``pattern`` that a loader reads, sorted; never a
    hidden one (an editor's lock file such as ``.#terms.yaml``)."""
    return sorted(p for p in Path(folder).glob(pattern) if not p.name.startswith("."))


def corpus_files(root: Path) -> list[Path]:
    """The files of ``root`` that the package reads, and the READMEs, relative to ``root``.

    Hidden files are never among them, and a source named by a document file counts even if
    it does not end in ``.txt``.
    """
    found = {Path(DOCUMENTATION)} if (root / DOCUMENTATION).is_file() else set()
    for folder, pattern in READ:
        for name in (pattern, DOCUMENTATION):
            found.update(
                p.relative_to(root) for p in data_files(root / folder, name) if p.is_file()
            )
    found.update(_named_sources(root))
    return sorted(found)


def _named_sources(root: Path) -> set[Path]:
    """The sources the document files name (``source:``), where they exist in ``sources/``."""
    from ..errors import CorpusError
    from .datafile import load_yaml, resolved

    named = set()
    for path in data_files(root / "documents", "*.yaml"):
        try:
            data = load_yaml(path, what="document file")
            source = data.get("source") if isinstance(data, dict) else None
            if not isinstance(source, str):
                continue
            sources = resolved(root / "sources")
            found = resolved(root / "sources" / source)
        except CorpusError:
            continue  # the loader reports it; a copy simply goes without
        if found.is_file() and found.is_relative_to(sources):
            named.add(Path("sources") / found.relative_to(sources))
    return named
