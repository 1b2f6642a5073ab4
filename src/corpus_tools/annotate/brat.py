"""brat's project configuration for an export: ``annotation.conf`` (the entity types, the
attributes and their values) and ``visual.conf`` (each label's name and colour).

brat reads the configuration from the folder of the ``.ann`` files; without one, its
``verify_annotations`` reports every type as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .record import Annotation
from .tagsets import TagSet

__all__ = [
    "BRAT_CONFIG",
    "annotation_conf",
    "attribute_type",
    "brat_type",
    "visual_conf",
    "write_brat_config",
]

BRAT_CONFIG = ("annotation.conf", "visual.conf")
"""The files :func:`write_brat_config` writes beside the ``.ann`` files."""
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9_-]")
_HEADER = "# Written by corpus-tools for the annotations in this folder.\n"
_OVERLAP = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"
"""brat refuses spans that nest, cross or coincide unless a relation allows it; two labels
on one span, or an actor inside a commitment, are ordinary here."""


def brat_type(name: object) -> str:
    """A brat type or attribute value, as brat normalises names: every character but ASCII
    letters, digits, ``-`` and ``_`` becomes ``_`` (a run of white space one ``_``)."""
    return _NOT_IN_A_NAME.sub("_", "_".join(str(name).split()))


def attribute_type(name: str) -> str:
    """The brat attribute for one of our attributes (``severity`` becomes ``Severity``)."""
    return brat_type(name.capitalize())


@dataclass
class _Scheme:
    """Entity types (brat name to label name and colour) and attributes (brat name to the
    entity types that take it and its values), in the order first seen."""

    types: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    attributes: dict[str, tuple[dict[str, None], dict[str, None]]] = field(default_factory=dict)

    def add_type(self, label: str, colour: str | None = None) -> str:
        name = brat_type(label)
        if self.types.get(name, (label, None))[1] is None:
            self.types[name] = (label, colour)
        return name

    def add_attribute(self, name: str, types: Iterable[str], values: Iterable[str]) -> None:
        args, allowed = self.attributes.setdefault(attribute_type(name), ({}, {}))
        args.update(dict.fromkeys(types))
        allowed.update(dict.fromkeys(brat_type(value) for value in values))


def _scheme(annotations: Iterable[Annotation], tagsets: Iterable[TagSet]) -> _Scheme:
    scheme = _Scheme()
    for tagset in tagsets:
        types = [scheme.add_type(label.name, label.colour) for label in tagset.labels]
        for name, values in tagset.attributes.items():
            scheme.add_attribute(name, types, values)
    for annotation in annotations:
        name = scheme.add_type(annotation.tag)
        for attribute, value in annotation.attributes.items():
            scheme.add_attribute(attribute, [name], [value])
    return scheme


def annotation_conf(annotations: Iterable[Annotation], tagsets: Iterable[TagSet] = ()) -> str:
    """brat's ``annotation.conf``: every label of ``tagsets`` and every tag used, as entities;
    their attributes with the values allowed (or used); any overlap of spans allowed."""
    scheme = _scheme(annotations, tagsets)
    attributes = [
        f"{name}\tArg:{'|'.join(args)}, Value:{'|'.join(values)}"
        for name, (args, values) in scheme.attributes.items()
    ]
    return _sections(
        ("entities", list(scheme.types)),
        ("relations", [_OVERLAP]),
        ("events", []),
        ("attributes", attributes),
    )


def visual_conf(annotations: Iterable[Annotation], tagsets: Iterable[TagSet] = ()) -> str:
    """brat's ``visual.conf``: each label's own name (with its spaces; a ``|`` shown as ``¦``)
    and its tag set's colour; each attribute value shown as a glyph such as ``[major]``."""
    scheme = _scheme(annotations, tagsets)
    labels = [f"{name} | {_shown(label)}" for name, (label, _) in scheme.types.items()]
    labels += [f"{name} | {name.lower()}" for name in scheme.attributes]
    drawing = [f"{name}\tbgColor:{colour}" for name, (_, colour) in scheme.types.items() if colour]
    drawing += [
        f"{name}\tglyph:{'|'.join(f'[{value}]' for value in values)}"
        for name, (_, values) in scheme.attributes.items()
    ]
    return _sections(("labels", labels), ("drawing", drawing))


def write_brat_config(
    folder: Path | str, annotations: Sequence[Annotation], tagsets: Iterable[TagSet] = ()
) -> tuple[Path, Path]:
    """Write ``annotation.conf`` and ``visual.conf`` into ``folder``; returns their paths."""
    folder = Path(folder)
    tagsets = list(tagsets)
    conf, visual = (folder / name for name in BRAT_CONFIG)
    conf.write_text(annotation_conf(annotations, tagsets), encoding="utf-8")
    visual.write_text(visual_conf(annotations, tagsets), encoding="utf-8")
    return conf, visual


def _shown(label: str) -> str:
    """A label's name as brat shows it: on one line, without the ``|`` that would end it."""
    return " ".join(label.split()).replace("|", "¦")


def _sections(*sections: tuple[str, list[str]]) -> str:
    return _HEADER + "".join(
        f"\n[{title}]\n" + "".join(f"{line}\n" for line in lines) for title, lines in sections
    )
