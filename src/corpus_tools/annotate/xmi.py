"""What the UIMA CAS XMI export shares with INCEpTION: the type system (DKPro Core's, which
INCEpTION uses, and our custom span layer), the segmentation, and reading back the spans that
INCEpTION made, where only the tag may be filled."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import AnnotationError
from .record import Annotation, quote
from .tagsets import TagSet

if TYPE_CHECKING:
    from ..corpus.document import Document

__all__ = ["SENTENCE", "TOKEN", "XMI_FEATURES", "XMI_LAYER", "add_segmentation", "from_layer"]

XMI_LAYER = "webanno.custom.RiyadhTag"
"""INCEpTION's naming for a custom span layer; its features hold tag, tag set and comment."""
XMI_FEATURES = ("tag", "tagset", "tagsetVersion", "severity", "comment", "creator", "annotationId")
"""The layer's features, all strings; INCEpTION may fill only ``tag``."""
TOKEN = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
SENTENCE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"
_IDS = uuid.UUID("6f2c1f0e-8c1d-5b7a-9d55-2b0c3c4e5a61")
"""The namespace of the ids given to annotations that came without one."""


def typesystem() -> Any:
    """DKPro Core's type system (with ``Token`` and ``Sentence``) and our layer."""
    from cassis import load_dkpro_core_typesystem

    types = load_dkpro_core_typesystem()
    layer = types.create_type(XMI_LAYER, supertypeName="uima.tcas.Annotation")
    for name in XMI_FEATURES:
        types.create_feature(layer, name, "uima.cas.String")
    return types


def add_segmentation(cas: Any, doc: Document) -> None:
    """Add the document's sentences and tokens as DKPro Core ``Sentence`` and ``Token``
    annotations (with our ids), so INCEpTION keeps our segmentation instead of making its own."""
    for name, units in ((SENTENCE, doc.sentences), (TOKEN, doc.tokens)):
        kind = cas.typesystem.get_type(name)
        for unit in units:
            cas.add(kind(begin=unit.start, end=unit.end, id=unit.id))


def from_layer(
    item: Any, text: str, doc_id: str, tagsets: Sequence[TagSet] = (), creator: str = "unknown"
) -> Annotation | None:
    """The annotation of one span of our layer, or None for a span without a tag.

    A span made in INCEpTION may have only its tag: its tag set is then the one of
    ``tagsets`` that has the tag, its version that tag set's, its creator ``creator``, and its
    id one made from the document, offsets, tag and creator (the same on every read).

    Raises:
        AnnotationError: the tag set or its version cannot be told (pass ``tagsets``), or the
            version is not a whole number.
    """
    tag = _feature(item, "tag")
    if tag is None:
        return None
    start, end = item.begin, item.end
    tagset_id = _feature(item, "tagset") or _tagset_of(tag, tagsets, start, end)
    version = _feature(item, "tagsetVersion") or _version_of(tagset_id, tagsets, start, end)
    if not str(version).strip().isdigit():
        raise AnnotationError(f"the span [{start}, {end}) has tag set version {version!r}")
    who = _feature(item, "creator") or creator
    severity = _feature(item, "severity")
    return Annotation(
        id=_feature(item, "annotationId") or _made_up_id(doc_id, start, end, tag, who),
        doc_id=doc_id,
        start=start,
        end=end,
        **quote(text, start, end),
        tag=tag,
        tagset=tagset_id,
        tagset_version=int(version),
        creator=who,
        created="",
        comment=_feature(item, "comment"),
        attributes={"severity": severity} if severity else {},
    )


def _feature(item: Any, name: str) -> str | None:
    """A string feature's value; None when it is not set, empty, or not in the layer."""
    value = item.get(name)
    if value is None or not str(value).strip():
        return None
    return str(value)


def _tagset_of(tag: str, tagsets: Iterable[TagSet], start: int, end: int) -> str:
    for tagset in tagsets:
        if any(label.name == tag for label in tagset.labels):
            return tagset.id
    raise AnnotationError(
        f"the span [{start}, {end}) tagged {tag!r} names no tag set, and none of the tag sets "
        "given has that label; pass the tag sets to read_xmi"
    )


def _version_of(tagset_id: str, tagsets: Iterable[TagSet], start: int, end: int) -> int:
    for tagset in tagsets:
        if tagset.id == tagset_id:
            return tagset.version
    raise AnnotationError(
        f"the span [{start}, {end}) has no tag set version; pass tag set {tagset_id!r} to read_xmi"
    )


def _made_up_id(doc_id: str, start: int, end: int, tag: str, creator: str) -> str:
    name = "\t".join(map(str, (doc_id, start, end, tag, creator)))
    return f"urn:uuid:{uuid.uuid5(_IDS, name)}"
