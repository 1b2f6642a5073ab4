"""Annotation: tag sets, W3C Web Annotation records, a store that never loses work, answer keys,
exports."""

from __future__ import annotations

from .keys import available_keys, load_key
from .record import Annotation, make_annotation
from .store import AnnotationStore, LoadReport
from .tagsets import Label, TagSet, load_tagsets

__all__ = [
    "Annotation",
    "AnnotationStore",
    "Label",
    "LoadReport",
    "TagSet",
    "available_keys",
    "load_key",
    "load_tagsets",
    "make_annotation",
]
