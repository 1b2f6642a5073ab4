"""Annotation schemes (``corpus/tagsets/*.yaml``) that an instructor edits without touching code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus.datafile import Fields, load_yaml
from ..corpus.layout import data_files
from ..corpus.provenance import LANGUAGES, SECTION_KINDS
from ..errors import TagSetError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CounterExample", "Label", "TagSet", "load_tagsets", "read_tagset"]

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TAGSET_KEYS = {
    "id", "version", "description", "applies_to", "attributes", "labels", "rules", "do_not_tag",
}  # fmt: skip
_LABEL_KEYS = {
    "name", "description", "colour", "shortcut", "mqm", "ner", "definition", "rules",
    "examples", "counter_examples", "needs_original",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class CounterExample:
    """Words of the text that look like a label's but are not, and why."""

    text: str
    why: str


@dataclass(frozen=True, slots=True)
class Label:
    """One tag: its name, what it is for, its colour and keyboard shortcut, and its guidelines
    (definition, decision rules, examples and counter-examples from the corpus's text).

    ``needs_original`` marks a label that can only be judged against a text the corpus does not
    hold (an omission needs the original): scoring reports such spans apart, never as wrong.
    """

    name: str
    description: str
    colour: str
    shortcut: str
    mqm: str | None = None
    ner: str | None = None
    definition: str | None = None
    rules: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[CounterExample, ...] = ()
    needs_original: bool = False


@dataclass(frozen=True, slots=True)
class TagSet:
    """A versioned set of labels, with the section kinds and languages it applies to."""

    id: str
    version: int
    description: str
    labels: tuple[Label, ...]
    kinds: frozenset[str]
    languages: frozenset[str]
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    do_not_tag: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def label(self, name: str) -> Label:
        """The label called ``name``.

        Raises:
            TagSetError: no such label (the message lists the labels).
        """
        for label in self.labels:
            if label.name == name:
                return label
        names = ", ".join(label.name for label in self.labels)
        raise TagSetError(f"tag set {self.id!r} has no label {name!r}; its labels: {names}")

    def applies_to(self, kind: str, language: str) -> bool:
        return kind in self.kinds and language in self.languages

    @property
    def needs_original(self) -> frozenset[str]:
        """The labels that can only be judged against an original the corpus does not hold."""
        return frozenset(label.name for label in self.labels if label.needs_original)

    def to_frame(self) -> pd.DataFrame:
        """The labels as a table: shortcut, name, description and mapping."""
        import pandas as pd

        return pd.DataFrame(
            [
                {"key": label.shortcut, "label": label.name, "description": label.description,
                 "maps to": label.mqm or label.ner or ""}
                for label in self.labels
            ]
        )  # fmt: skip


def load_tagsets(folder: Path | str | None = None) -> dict[str, TagSet]:
    """Every tag set in ``folder`` (default: the corpus's ``tagsets/``), by id.

    Raises:
        TagSetError: a malformed tag set; the message names the file and line.
    """
    if folder is None:
        from ..corpus import find_corpus_root

        folder = find_corpus_root() / "tagsets"
    tagsets: dict[str, TagSet] = {}
    for path in data_files(Path(folder), "*.yaml"):
        tagset = read_tagset(path)
        if tagset.id in tagsets:
            raise TagSetError(
                f"tag set id {tagset.id!r} is also used by {tagsets[tagset.id].path}", path=path
            )
        tagsets[tagset.id] = tagset
    return tagsets


def read_tagset(path: Path) -> TagSet:
    """One tag set file, checked.

    Raises:
        TagSetError: a malformed tag set; the message names the file and line.
    """
    data = Fields(load_yaml(path, what="tag set"), path, "tag set", TagSetError)
    data.check_keys(_TAGSET_KEYS)
    version = data.integer("version")
    if version < 1:
        data.fail("version", "version should be a whole number from 1 up")
    applies = Fields(data.record.get("applies_to"), path, "applies_to", TagSetError)
    applies.check_keys({"kinds", "languages"})
    kinds = _choices(applies, "kinds", SECTION_KINDS)
    languages = _choices(applies, "languages", LANGUAGES)
    labels = [_label(record, path) for record in data.list("labels")]
    if not labels:
        data.fail("labels", "a tag set needs at least one label")
    for attribute in ("name", "shortcut"):
        seen: dict[str, int] = {}
        for record, label in zip(data.list("labels"), labels, strict=True):
            value = getattr(label, attribute)
            if value in seen:
                raise TagSetError(
                    f"label {attribute} {value!r} is already used on line {seen[value]}; "
                    f"each label needs its own {attribute}",
                    path=path,
                    line=record.line_of(attribute),
                )
            seen[value] = record.line_of(attribute)
    return TagSet(
        id=data.identifier("id"),
        version=version,
        description=data.string("description"),
        labels=tuple(labels),
        kinds=kinds,
        languages=languages,
        attributes=_attributes(data),
        rules=_texts(data, "rules"),
        do_not_tag=_texts(data, "do_not_tag"),
        path=path,
    )


def _label(record: object, path: Path) -> Label:
    fields = Fields(record, path, "label", TagSetError)
    fields.check_keys(_LABEL_KEYS)
    colour = fields.string("colour")
    if not _COLOUR.match(colour):
        fields.fail("colour", f'colour {colour!r} should be written like "#4c72b0"')
    shortcut = str(fields.record.get("shortcut", ""))
    if len(shortcut) != 1 or not shortcut.isalnum():
        fields.fail("shortcut", f"shortcut {shortcut!r} should be one letter or digit, in quotes")
    return Label(
        name=fields.string("name"),
        description=fields.string("description"),
        colour=colour,
        shortcut=shortcut,
        mqm=fields.optional("mqm", str),
        ner=fields.optional("ner", str),
        definition=fields.optional("definition", str),
        rules=_texts(fields, "rules"),
        examples=_texts(fields, "examples"),
        counter_examples=tuple(
            _counter_example(item, path) for item in fields.list("counter_examples", default=[])
        ),
        needs_original=bool(fields.optional("needs_original", bool)),
    )


def _texts(fields: Fields, key: str) -> tuple[str, ...]:
    values = fields.list(key, default=[])
    if not all(isinstance(value, str) and value.strip() for value in values):
        fields.fail(key, f"{key} should be a list of texts, each in quotes")
    return tuple(values)


def _counter_example(record: object, path: Path) -> CounterExample:
    fields = Fields(record, path, "counter-example", TagSetError)
    fields.check_keys({"text", "why"})
    return CounterExample(fields.string("text"), fields.string("why"))


def _choices(fields: Fields, key: str, allowed: Mapping[str, str]) -> frozenset[str]:
    values = fields.list(key)
    for value in values:
        if value not in allowed:
            fields.fail(
                key, f"unknown {key[:-1]} {value!r}; expected some of: {', '.join(allowed)}"
            )
    return frozenset(values)


def _attributes(data: Fields) -> dict[str, tuple[str, ...]]:
    attributes = data.optional("attributes", dict) or {}
    for name, values in attributes.items():
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            data.fail(
                "attributes", f"attribute {name!r} should list its values, e.g. [minor, major]"
            )
    return {name: tuple(values) for name, values in attributes.items()}
