"""A student's annotation file in the formats other tools read, as ``corpus-tools export
annotations`` writes it: ``<file>.w3c.json`` (a W3C collection), ``brat/<document>.txt|.ann``,
``brat/annotation.conf|visual.conf``, ``xmi/<document>.xmi`` with our sentences and tokens and
``xmi/TypeSystem.xml`` (INCEpTION), and ``<file>.csv``.

Only annotations that still fit the text are exported; the file's damaged lines and its orphans
are reported, never guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExportError
from ..files import write_atomic, write_spreadsheet_csv, writing_into
from .exports import annotations_frame, to_w3c_collection, write_brat, write_xmi
from .record import Annotation
from .store import AnnotationStore, LoadReport
from .tagsets import TagSet, load_tagsets

if TYPE_CHECKING:
    from ..corpus import Corpus

__all__ = ["FORMATS", "FileExport", "export_annotation_file"]

FORMATS = ("w3c", "brat", "xmi", "csv")
"""Every format, in the order they are written."""


@dataclass(frozen=True)
class FileExport:
    """What an export wrote, and what the file held that could not be exported."""

    written: list[Path]
    report: LoadReport

    def summary(self) -> str:
        lines = [str(path) for path in self.written]
        if self.report.skipped:
            lines.append(f"note: {len(self.report.skipped)} damaged line(s) of the file skipped")
        if self.report.orphans:
            lines.append(
                f"note: {len(self.report.orphans)} annotation(s) no longer fit the text and are "
                "not exported"
            )
        return "\n".join(lines)


def export_annotation_file(
    path: Path | str, outdir: Path | str, corpus: Corpus, formats: Sequence[str] = FORMATS
) -> FileExport:
    """Write the annotations of ``path`` into ``outdir`` in each of ``formats``.

    Raises:
        ExportError: the file does not exist or holds no annotation that fits the corpus, an
            unknown format, or ``outdir`` cannot be written.
        AnnotationError: the file cannot be read.
    """
    path = Path(path)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ExportError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    if not path.is_file():
        raise ExportError("no such annotation file; give a student's .jsonl", path=path)
    report = AnnotationStore(path).load({doc.id: doc.text for doc in corpus.values()})
    if not report.annotations:
        raise ExportError(
            "holds no annotation that fits the corpus's texts; nothing to export", path=path
        )
    with writing_into(Path(outdir), "annotation export") as folder:
        written = _write(path.stem, report, corpus, folder, formats)
    return FileExport(written, report)


def _write(
    stem: str, report: LoadReport, corpus: Corpus, folder: Path, formats: Sequence[str]
) -> list[Path]:
    annotations = sorted(report.annotations, key=lambda a: (a.doc_id, a.start, a.end))
    written: list[Path] = []
    if "w3c" in formats:
        written.append(folder / f"{stem}.w3c.json")
        collection = to_w3c_collection(annotations, f"{stem}: annotations of {report.path.name}")
        write_atomic(written[-1], json.dumps(collection, ensure_ascii=False, indent=1) + "\n")
    tagsets = _tagsets(corpus, annotations)
    for doc_id, group in groupby(annotations, key=lambda a: a.doc_id):
        doc, mine = corpus[doc_id], list(group)
        if "brat" in formats:
            written.extend(write_brat(doc.text, mine, folder / "brat" / doc_id, tagsets))
        if "xmi" in formats:
            xmi = write_xmi(doc.text, mine, folder / "xmi" / f"{doc_id}.xmi", doc=doc)
            written += [xmi, xmi.with_name("TypeSystem.xml")]
    if "csv" in formats:
        written.append(folder / f"{stem}.csv")
        write_spreadsheet_csv(annotations_frame(annotations), written[-1])
    if "brat" in formats:
        written += [folder / "brat" / "annotation.conf", folder / "brat" / "visual.conf"]
    return written


def _tagsets(corpus: Corpus, annotations: Sequence[Annotation]) -> list[TagSet]:
    """The corpus's tag sets the annotations use, for brat's configuration."""
    used = {a.tagset for a in annotations}
    return [t for name, t in sorted(load_tagsets(corpus.root / "tagsets").items()) if name in used]
