"""The derived layers: paragraphs from the line structure, sentences and tokens from SoMaJo.

SoMaJo's German model keeps ordinals (``am 18. Februar``) and initials (``Sergej W. Lawrow``)
inside sentences; the tests hold it to that on this corpus's own hard cases.

Everything here returns plain columns of offsets (Python string indices into the document's
text); :mod:`corpus_tools.corpus` wraps them as views.  SoMaJo and simplemma are imported
only when a document is segmented, which happens once per source (the result is cached).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .lemmas import lemmatize
from .provenance import SEGMENTED_LANGUAGES

__all__ = [
    "ParagraphSpan",
    "Segmentation",
    "find_duplicates",
    "joined_segmentations",
    "paragraph_layers",
    "paragraph_spans",
    "segment_paragraphs",
]

_LINE = re.compile(r"[^\n]+")
_BLOCK = re.compile(r"\S(?:.|\n(?![ \t]*\n))*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ParagraphSpan:
    """A paragraph's span and the index of the top-level section that holds it."""

    start: int
    end: int
    section: int


@dataclass(frozen=True, slots=True)
class Segmentation:
    """Sentence and token columns for one document (offsets into its text): lists when just
    built, numpy and Arrow arrays when read from the cache (:mod:`.columnar`)."""

    sentence_start: Sequence[int]
    sentence_end: Sequence[int]
    sentence_paragraph: Sequence[int]
    token_start: Sequence[int]
    token_end: Sequence[int]
    token_sentence: Sequence[int]
    token_class: Sequence[str]
    lemma: Sequence[str]
    form: Sequence[str]
    """Each token as the source writes it (``text[start:end]``), kept so that tools can count
    and look up words without cutting them from the text again."""


def paragraph_spans(
    text: str, sections: Iterable[tuple[int, int, int]], mode: str
) -> list[ParagraphSpan]:
    """Split each ``(start, end, section_index)`` span into paragraphs.

    ``mode`` ``"lines"`` makes every non-blank line a paragraph; ``"blank_lines"`` keeps
    single line breaks inside a paragraph.  Surrounding white space is left out.
    """
    pattern = _LINE if mode == "lines" else _BLOCK
    spans: list[ParagraphSpan] = []
    for start, end, section in sections:
        for match in pattern.finditer(text, start, end):
            left, right = _strip(text, match.start(), match.end())
            if left < right:
                spans.append(ParagraphSpan(left, right, section))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_duplicates(text: str, spans: Sequence[ParagraphSpan]) -> list[int | None]:
    """For each paragraph, the index of an earlier paragraph with identical text, else None."""
    first_seen: dict[str, int] = {}
    duplicates: list[int | None] = []
    for index, span in enumerate(spans):
        content = text[span.start : span.end]
        duplicates.append(first_seen.get(content))
        first_seen.setdefault(content, index)
    return duplicates


def segment_paragraphs(text: str, paragraphs: Sequence[tuple[int, int, str]]) -> Segmentation:
    """Sentences and tokens (with form, lemma and SoMaJo token class) of ``(start, end,
    language)``.

    Each paragraph is tokenised on its own, so sentences never cross a paragraph.
    """
    columns = Segmentation([], [], [], [], [], [], [], [], [])
    for index, (start, end, language) in enumerate(paragraphs):
        sentences = _tokenizer(language).tokenize_text([text[start:end]])
        for sentence in sentences:
            if sentence:  # SoMaJo gives an empty sentence for a text of white space only
                _append_sentence(columns, text, sentence, start, index, language)
    return columns


def joined_segmentations(parts: Sequence[tuple[Segmentation, int, int]]) -> Segmentation:
    """One document's layers from those of its consecutive pieces, each given with where its
    text begins and the number of its first paragraph."""
    if len(parts) == 1 and parts[0][1:] == (0, 0):
        return parts[0][0]
    joined = Segmentation([], [], [], [], [], [], [], [], [])
    for layers, offset, paragraph in parts:
        sentences = len(joined.sentence_start)
        joined.sentence_start.extend(start + offset for start in layers.sentence_start)
        joined.sentence_end.extend(end + offset for end in layers.sentence_end)
        joined.sentence_paragraph.extend(p + paragraph for p in layers.sentence_paragraph)
        joined.token_start.extend(start + offset for start in layers.token_start)
        joined.token_end.extend(end + offset for end in layers.token_end)
        joined.token_sentence.extend(s + sentences for s in layers.token_sentence)
        joined.token_class.extend(layers.token_class)
        joined.lemma.extend(layers.lemma)
        joined.form.extend(layers.form)
    return joined


def paragraph_layers(layers: Segmentation, start: int, end: int) -> Segmentation:
    """The sentences and tokens of the one paragraph of ``layers`` (columns as lists) at
    ``start:end``, with offsets from its start, as :func:`segment_paragraphs` gives them for
    its text alone."""
    first = bisect_left(layers.token_start, start)
    last = bisect_left(layers.token_start, end, first)
    numbers = layers.token_sentence[first:last]
    base = numbers[0] if numbers else 0
    sentences = slice(base, numbers[-1] + 1 if numbers else base)
    return Segmentation(
        [offset - start for offset in layers.sentence_start[sentences]],
        [offset - start for offset in layers.sentence_end[sentences]],
        [0] * (sentences.stop - sentences.start),
        [offset - start for offset in layers.token_start[first:last]],
        [offset - start for offset in layers.token_end[first:last]],
        [number - base for number in numbers],
        layers.token_class[first:last],
        layers.lemma[first:last],
        layers.form[first:last],
    )


def _append_sentence(
    columns: Segmentation,
    text: str,
    sentence: list[Any],
    offset: int,
    paragraph: int,
    language: str,
) -> None:
    sentence_index = len(columns.sentence_start)
    columns.sentence_start.append(offset + sentence[0].character_offset[0])
    columns.sentence_end.append(offset + sentence[-1].character_offset[1])
    columns.sentence_paragraph.append(paragraph)
    for token in sentence:
        start, end = token.character_offset
        columns.token_start.append(offset + start)
        columns.token_end.append(offset + end)
        columns.token_sentence.append(sentence_index)
        columns.token_class.append(token.token_class)
        columns.lemma.append(_lemma(token.text, token.token_class, language))
        columns.form.append(text[offset + start : offset + end])


@cache
def _tokenizer(language: str) -> Any:
    from somajo import SoMaJo

    return SoMaJo(SEGMENTED_LANGUAGES[language], split_camel_case=False, character_offsets=True)


def _lemma(word: str, token_class: str, language: str) -> str:
    if token_class not in {"regular", "abbreviation"}:
        return word
    return lemmatize(word, language)
