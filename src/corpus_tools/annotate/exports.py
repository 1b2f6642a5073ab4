"""Annotations for other tools: a W3C collection, brat standoff, UIMA CAS XMI for INCEpTION,
and a pandas table.  Each export that other tools write too can also be read back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AnnotationError
from .brat import attribute_type, brat_type, write_brat_config
from .record import CONTEXT, Annotation
from .tagsets import TagSet
from .xmi import XMI_LAYER, add_segmentation, from_layer, typesystem

if TYPE_CHECKING:
    import pandas as pd

    from ..corpus.document import Document

__all__ = [
    "XMI_LAYER",
    "annotations_frame",
    "read_w3c_collection",
    "read_xmi",
    "to_w3c_collection",
    "write_brat",
    "write_xmi",
]

_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what ends a line for str.splitlines
_NOT_IN_A_FIELD = re.compile(f"[\t{_BREAKS}]+")


def to_w3c_collection(
    annotations: Iterable[Annotation], label: str, *, collection_id: str | None = None
) -> dict[str, Any]:
    """A W3C ``AnnotationCollection`` (JSON-LD) with every annotation on one page.

    Args:
        annotations: the annotations, in the order the page lists them.
        label: what the collection is, for people ("Ada: the readout's discourse").
        collection_id: the collection's IRI where it is published; by default a ``urn:uuid``
            made from the label and the annotations' ids, so the same export has the same id.
    """
    items = [a.to_w3c() for a in annotations]
    for item in items:
        item.pop("@context")
    collection_id = collection_id or _urn([label, *(item["id"] for item in items)])
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {
            "id": _urn([collection_id, "page", "0"]),
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": items,
        },
    }


def _urn(parts: Sequence[str]) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, chr(31).join(parts))}"


def read_w3c_collection(data: dict[str, Any]) -> list[Annotation]:
    """The annotations of a collection made by :func:`to_w3c_collection`, also after JSON-LD
    compaction (a page of one item, a single body, a ``partOf`` as an object)."""
    if data.get("type") != "AnnotationCollection":
        raise AnnotationError("not a W3C AnnotationCollection (its 'type' is missing or other)")
    items = data["first"]["items"]
    return [Annotation.from_w3c(item) for item in (items if isinstance(items, list) else [items])]


def write_brat(
    text: str,
    annotations: Sequence[Annotation],
    stem: Path | str,
    tagsets: TagSet | Iterable[TagSet] = (),
) -> tuple[Path, Path]:
    """Write brat standoff: ``stem.txt`` (the text) and ``stem.ann`` (the annotations), and
    brat's ``annotation.conf`` and ``visual.conf`` in the same folder.

    Spans that cross a line break or a tab become brat fragments; comments become
    ``AnnotatorNotes`` and attributes (such as severity) brat attributes.  brat reads one
    annotation per line, its fields separated by tabs, so a comment's tabs and line breaks
    become spaces, and a type or an attribute value keeps only what brat allows in a name
    (``wrong name`` becomes ``wrong_name``; ``visual.conf`` shows the label's own name).  The
    configuration declares every label of ``tagsets`` (with its colour) and every tag used:
    pass the tag sets when several documents go into one folder, so that one configuration
    serves them all.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    txt, ann = stem.with_suffix(".txt"), stem.with_suffix(".ann")
    txt.write_text(text, encoding="utf-8", newline="")
    lines: list[str] = []
    attribute = 0
    for number, annotation in enumerate(sorted(annotations, key=_position), start=1):
        pieces = _fragments(text, annotation.start, annotation.end)
        fragments = ";".join(f"{start} {end}" for start, end in pieces)
        shown = " ".join(text[start:end] for start, end in pieces)
        lines.append(f"T{number}\t{brat_type(annotation.tag)} {fragments}\t{shown}")
        for name, value in sorted(annotation.attributes.items()):
            attribute += 1
            lines.append(f"A{attribute}\t{attribute_type(name)} T{number} {brat_type(value)}")
        if annotation.comment:
            note = _NOT_IN_A_FIELD.sub(" ", annotation.comment)
            lines.append(f"#{number}\tAnnotatorNotes T{number}\t{note}")
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sets = [tagsets] if isinstance(tagsets, TagSet) else tagsets
    write_brat_config(stem.parent, annotations, sets)
    return txt, ann


def write_xmi(
    text: str, annotations: Sequence[Annotation], path: Path | str, doc: Document | None = None
) -> Path:
    """Write a UIMA CAS XMI file (with its type system beside it) that INCEpTION imports.

    With ``doc``, the file also holds the document's sentences and tokens as DKPro Core
    ``Sentence`` and ``Token`` annotations, so INCEpTION keeps our segmentation.
    """
    from cassis import Cas

    cas = Cas(typesystem=typesystem(), sofa_string=text)
    if doc is not None:
        add_segmentation(cas, doc)
    layer = cas.typesystem.get_type(XMI_LAYER)
    for annotation in sorted(annotations, key=_position):
        cas.add(
            layer(
                begin=annotation.start,
                end=annotation.end,
                tag=annotation.tag,
                tagset=annotation.tagset,
                tagsetVersion=str(annotation.tagset_version),
                severity=annotation.attributes.get("severity"),
                comment=annotation.comment,
                creator=annotation.creator,
                annotationId=annotation.id,
            )
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cas.to_xmi(path)
    cas.typesystem.to_xml(path.with_name("TypeSystem.xml"))
    return path


def read_xmi(
    path: Path | str,
    doc_id: str,
    tagsets: TagSet | Iterable[TagSet] = (),
    creator: str = "unknown",
) -> list[Annotation]:
    """Annotations of the custom layer in an XMI file (from :func:`write_xmi` or INCEpTION),
    read with the ``TypeSystem.xml`` beside it.

    Spans made in INCEpTION may carry only their tag: ``tagsets`` then tell their tag set and
    version, and ``creator`` who made them (INCEpTION exports one file per annotator); each
    gets an id made from its document, offsets, tag and creator.  Spans without a tag are
    skipped.

    Raises:
        AnnotationError: a span whose tag set or version cannot be told from the file or
            ``tagsets``.
    """
    from cassis import load_cas_from_xmi, load_typesystem

    path = Path(path)
    with open(path.with_name("TypeSystem.xml"), "rb") as stream:
        types = load_typesystem(stream)
    with open(path, "rb") as stream:
        cas = load_cas_from_xmi(stream, typesystem=types)
    sets = [tagsets] if isinstance(tagsets, TagSet) else list(tagsets)
    found = (
        from_layer(item, cas.sofa_string, doc_id, sets, creator) for item in cas.select(XMI_LAYER)
    )
    return [annotation for annotation in found if annotation is not None]


def annotations_frame(annotations: Iterable[Annotation]) -> pd.DataFrame:
    """One row per annotation, with its text, sorted by document and position."""
    import pandas as pd

    rows = [
        {
            "doc_id": a.doc_id,
            "start": a.start,
            "end": a.end,
            "text": a.exact,
            "tag": a.tag,
            "tagset": a.tagset,
            "creator": a.creator,
            "comment": a.comment,
            **a.attributes,
            "id": a.id,
        }
        for a in sorted(annotations, key=_position)
    ]
    columns = ["doc_id", "start", "end", "text", "tag", "tagset", "creator", "comment", "id"]
    return pd.DataFrame(rows, columns=list(dict.fromkeys(columns + [k for r in rows for k in r])))


def _position(annotation: Annotation) -> tuple[str, int, int, str]:
    return annotation.doc_id, annotation.start, -annotation.end, annotation.tag


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of ``[start, end)`` between line breaks and tabs: a brat span may not hold
    a line break, and a tab in an entity's text would end that field for most readers."""
    pieces, cursor = [], start
    for brk in _NOT_IN_A_FIELD.finditer(text, start, end):
        if brk.start() > cursor:
            pieces.append((cursor, brk.start()))
        cursor = brk.end()
    if end > cursor:
        pieces.append((cursor, end))
    return pieces
