"""The annotation record: a W3C Web Annotation with a position and a quote.

The target carries both a ``TextPositionSelector`` (code-point offsets into the document, as
the W3C model counts them) and a ``TextQuoteSelector`` (exact text with prefix and suffix), so
an annotation can be re-anchored, or reported as orphaned, if a text ever changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import AnnotationError
from .tagsets import TagSet

__all__ = ["CONTEXT", "QUOTE_CONTEXT", "TERMS", "Annotation", "make_annotation", "quote"]

TERMS = "urn:riyadh-readouts:terms:"
"""The namespace of the fields the W3C model does not have (a tag's tag set and severity)."""
CONTEXT = [
    "http://www.w3.org/ns/anno.jsonld",
    {
        "tagset": {"@id": f"{TERMS}tagset"},
        "tagsetVersion": {
            "@id": f"{TERMS}tagsetVersion",
            "@type": "http://www.w3.org/2001/XMLSchema#integer",
        },
        "severity": {"@id": f"{TERMS}severity"},
    },
]
"""The W3C context, and one that defines our own fields, so JSON-LD processing keeps them."""
QUOTE_CONTEXT = 32
"""UTF-16 code units of prefix and suffix kept in the quote selector, as Hypothesis keeps: its
anchoring library refuses longer context."""
_SOURCE_PREFIX = "urn:riyadh-readouts:"
TAG_LANGUAGE = "en"
"""Tag labels are English words."""
UNDETERMINED = "und"
"""The BCP 47 code for a language not known: what a student's comment is written in."""


@dataclass(frozen=True, slots=True)
class Annotation:
    """A tagged span of one document, by one annotator."""

    id: str
    doc_id: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    tag: str
    tagset: str
    tagset_version: int
    creator: str
    created: str
    comment: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def to_w3c(self) -> dict[str, Any]:
        """This annotation as W3C Web Annotation JSON."""
        tag: dict[str, Any] = {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": self.tag,
            "format": "text/plain",
            "language": TAG_LANGUAGE,
            "tagset": self.tagset,
            "tagsetVersion": self.tagset_version,
        }
        tag.update(self.attributes)
        body: list[dict[str, Any]] = [tag]
        if self.comment:
            body.append({"type": "TextualBody", "purpose": "commenting", "value": self.comment,
                         "format": "text/plain", "language": UNDETERMINED})  # fmt: skip
        return {
            "@context": CONTEXT,
            "id": self.id,
            "type": "Annotation",
            "motivation": "tagging",
            "creator": {"type": "Person", "name": self.creator},
            "created": self.created,
            "body": body,
            "target": {
                "source": _SOURCE_PREFIX + self.doc_id,
                "selector": [
                    {"type": "TextPositionSelector", "start": self.start, "end": self.end},
                    {
                        "type": "TextQuoteSelector",
                        "exact": self.exact,
                        "prefix": self.prefix,
                        "suffix": self.suffix,
                    },
                ],
            },
        }

    @classmethod
    def from_w3c(cls, data: Mapping[str, Any]) -> Annotation:
        """Read W3C Web Annotation JSON written by :meth:`to_w3c`.

        Raises:
            AnnotationError: a field is missing or of the wrong type.
        """
        try:
            annotation = cls._from_w3c(data)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise AnnotationError(f"not an annotation record: missing or bad {exc}") from exc
        if not 0 <= annotation.start < annotation.end:
            raise AnnotationError(
                f"span [{annotation.start}, {annotation.end}) is empty or negative; "
                "an annotation covers at least one character"
            )
        return annotation

    @classmethod
    def _from_w3c(cls, data: Mapping[str, Any]) -> Annotation:
        selectors = {s["type"]: s for s in _as_list(data["target"]["selector"])}
        position, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
        bodies = {b["purpose"]: b for b in _as_list(data["body"])}
        tag = bodies["tagging"]
        attributes = {k: v for k, v in tag.items() if k not in _TAG_KEYS}
        source = data["target"]["source"]
        return cls(
            id=str(data["id"]),
            doc_id=source.removeprefix(_SOURCE_PREFIX),
            start=int(position["start"]),
            end=int(position["end"]),
            exact=str(quote["exact"]),
            prefix=str(quote.get("prefix", "")),
            suffix=str(quote.get("suffix", "")),
            tag=str(tag["value"]),
            tagset=str(tag["tagset"]),
            tagset_version=int(tag["tagsetVersion"]),
            creator=str(data["creator"]["name"]),
            created=str(data["created"]),
            comment=bodies["commenting"]["value"] if "commenting" in bodies else None,
            attributes=attributes,
        )


def _as_list(value: Any) -> list[Any]:
    """A JSON-LD value that may be one item or a list of them (compaction writes one alone)."""
    return value if isinstance(value, list) else [value]


_TAG_KEYS = {"type", "purpose", "value", "format", "language", "tagset", "tagsetVersion"}


def quote(text: str, start: int, end: int) -> dict[str, str]:
    """The quote selector's fields for ``text[start:end]``: exact, and a prefix and suffix of
    at most :data:`QUOTE_CONTEXT` UTF-16 code units each."""
    prefix = text[max(0, start - QUOTE_CONTEXT) : start]
    suffix = text[end : end + QUOTE_CONTEXT]
    while _utf16_length(prefix) > QUOTE_CONTEXT:
        prefix = prefix[1:]
    while _utf16_length(suffix) > QUOTE_CONTEXT:
        suffix = suffix[:-1]
    return {"exact": text[start:end], "prefix": prefix, "suffix": suffix}


def _utf16_length(text: str) -> int:
    """Code units of ``text`` in UTF-16, as JavaScript counts a string's length."""
    return len(text) + sum(1 for c in text if c > "\uffff")


def make_annotation(
    text: str,
    doc_id: str,
    start: int,
    end: int,
    tag: str,
    tagset: TagSet,
    *,
    creator: str,
    comment: str | None = None,
    attributes: Mapping[str, str] | None = None,
    annotation_id: str | None = None,
    created: str | None = None,
) -> Annotation:
    """A validated annotation of ``text[start:end]``.

    Raises:
        AnnotationError: offsets out of range or empty, an unknown tag, or an attribute value
            the tag set does not allow.
    """
    if not 0 <= start < end <= len(text):
        raise AnnotationError(
            f"span [{start}, {end}) is not inside document {doc_id!r} of {len(text)} characters; "
            "select some text first"
        )
    tagset.label(tag)  # raises for an unknown tag
    attributes = dict(attributes or {})
    for name, value in attributes.items():
        allowed = tagset.attributes.get(name)
        if allowed is None or value not in allowed:
            raise AnnotationError(
                f"{name}={value!r} is not allowed by tag set {tagset.id!r}; "
                f"allowed: {dict(tagset.attributes) or 'no attributes'}"
            )
    return Annotation(
        id=annotation_id or f"urn:uuid:{uuid.uuid4()}",
        doc_id=doc_id,
        start=start,
        end=end,
        **quote(text, start, end),
        tag=tag,
        tagset=tagset.id,
        tagset_version=tagset.version,
        creator=creator,
        created=created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        comment=comment or None,
        attributes=attributes,
    )
