"""The student's working copy: the notebooks as a release gives them, kept in step with the sources.

``make lab`` opens ``student/``, which this module builds from the source notebooks exactly as
:func:`corpus_tools.release.release` builds a student release (solutions removed, checks kept,
the corpus without keys and with hidden exercise answers).  Run again, it refreshes what the
sources changed, but it never writes over a notebook the student has edited: that one is kept,
and the new version is put in ``student/newer/`` with a message saying so.  The student's
annotations (``student/annotations/``) and the corpus's layer cache are never touched.

A record of what was written (``student/.built.json``) makes an unchanged launch instant and
tells an edited notebook from an untouched one.  The release is built in a staging folder
inside ``student/`` (:mod:`corpus_tools.staging`); one that a killed build left there (it holds
the answer key) is removed by the next build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .corpus.layout import KEYS, corpus_files
from .errors import ReleaseError
from .files import write_atomic
from .staging import staging

__all__ = ["StudentCopy", "sync_student_copy"]

_RECORD = ".built.json"
_NEWER = "newer"
_KEPT = frozenset({".cache"})  # the corpus's layer cache survives a refresh
_BUILD = "build"  # the kind of staging folder the release is built in


@dataclass
class StudentCopy:
    """What a sync did to the student's copy."""

    folder: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: bool = False

    def __str__(self) -> str:
        if self.unchanged:
            return f"student notebooks in {self.folder} are up to date"
        lines = [f"student notebooks in {self.folder}: {len(self.written)} written"]
        lines += [
            f"kept your edited {name}; the new version is {self.folder / _NEWER / name}"
            for name in self.kept
        ]
        return "\n".join(lines)


def sync_student_copy(
    folder: Path | str, *, notebooks: Path | str | None = None, corpus: Path | str | None = None
) -> StudentCopy:
    """Build or refresh the student's copy in ``folder`` (``notebooks/`` and ``corpus/``).

    Args:
        folder: the student's folder, e.g. ``student/``.
        notebooks: the source notebooks (default: ``notebooks/`` beside the corpus).
        corpus: the corpus folder (default: :func:`corpus_tools.find_corpus_root`).

    Raises:
        ReleaseError: a source notebook is malformed, or ``folder`` cannot be written.
    """
    from .corpus import find_corpus_root
    from .release import release

    folder = Path(folder)
    corpus_dir = Path(corpus) if corpus is not None else find_corpus_root()
    notebook_dir = Path(notebooks) if notebooks is not None else corpus_dir.parent / "notebooks"
    record = _read_record(folder)
    fingerprint = _fingerprint(notebook_dir, corpus_dir)
    report = StudentCopy(folder)
    if record.get("fingerprint") == fingerprint and _intact(folder, record):
        report.unchanged = True
        return report
    try:
        with staging(folder / "release", _BUILD, legacy=".student-build-") as scratch:
            built = release(scratch / "release", notebooks=notebook_dir, corpus=corpus_dir)
            source = built.outdir / "student"
            _replace_corpus(source / "corpus", folder / "corpus")
            written = _merge_notebooks(source / "notebooks", folder, record, report)
    except OSError as exc:
        raise ReleaseError(
            f"cannot write the student copy ({exc.strerror or exc}); choose a folder you can "
            "write to",
            path=folder,
        ) from exc
    payload = json.dumps({"fingerprint": fingerprint, "notebooks": written}, indent=1)
    write_atomic(folder / _RECORD, payload)
    return report


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(notebook_dir: Path, corpus_dir: Path) -> str:
    """A hash of every source notebook and every corpus file a student release is made from."""
    digest = hashlib.sha256()
    files = sorted(notebook_dir.glob("*.ipynb"))
    files += [corpus_dir / p for p in corpus_files(corpus_dir) if p.parts[0] != KEYS]
    for path in files:
        digest.update(path.as_posix().encode())
        digest.update(_digest(path).encode())
    return digest.hexdigest()


def _read_record(folder: Path) -> dict:
    try:
        data = json.loads((folder / _RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _intact(folder: Path, record: dict) -> bool:
    """Every notebook the record lists is still there (a student may delete one to get it
    back)."""
    return all((folder / "notebooks" / name).is_file() for name in record.get("notebooks", {}))


def _replace_corpus(source: Path, target: Path) -> None:
    """Put the release's corpus in place of the old one, keeping the layer cache."""
    fresh = target.with_name(f".{target.name}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(source, fresh)
    for name in _KEPT:
        if (target / name).is_dir():
            (target / name).rename(fresh / name)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _merge_notebooks(source: Path, folder: Path, record: dict, report: StudentCopy) -> dict:
    """Copy each new notebook in unless the student has edited the old one; the digests of
    what is now in ``folder/notebooks`` as this module wrote it."""
    target = folder / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    previous = record.get("notebooks", {})
    written: dict[str, str] = {}
    for path in sorted(source.glob("*.ipynb")):
        name, new = path.name, _digest(path)
        mine = target / name
        edited = mine.is_file() and _digest(mine) != previous.get(name)
        if not edited:
            shutil.copyfile(path, mine)
            report.written.append(name)
            written[name] = new
        elif new == previous.get(name):
            written[name] = new  # the source did not change; the student's edits stand
        else:
            (folder / _NEWER).mkdir(exist_ok=True)
            shutil.copyfile(path, folder / _NEWER / name)
            report.kept.append(name)
            written[name] = previous.get(name, "")
    return written
