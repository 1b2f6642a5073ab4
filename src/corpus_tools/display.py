"""All HTML rendering of the package, escaped in one place.

Each renderer returns a :class:`Rendered` object: notebooks show its HTML, and its plain-text
form (what nbval compares, and what a terminal shows) says the same thing in words.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .corpus import Section
from .corpus.provenance import LANGUAGES, Translation

if TYPE_CHECKING:
    import pandas as pd

    from .annotate.tagsets import Label, TagSet


__all__ = [
    "Rendered",
    "escape",
    "feedback_box",
    "full_table",
    "guidelines",
    "highlighted",
    "kwic",
    "side_by_side",
    "translation_chain",
    "word_diff",
]


def escape(value: object) -> str:
    """The one place where text becomes HTML."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Rendered:
    """HTML for notebooks with a plain-text twin for everything else."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


_CHAIN_STYLE = (
    "display:flex;align-items:stretch;gap:.4em;flex-wrap:wrap;font-family:sans-serif;"
    "font-size:.95em;margin:.5em 0"
)
# Colours come from JupyterLab's theme variables (Notebook 7 sets them too), with fallbacks for
# other front ends, so every view reads well in the light and the dark theme.
_FAINT = "var(--jp-ui-font-color2,#555)"
_RULE = "var(--jp-border-color2,#ddd)"
_BOX_STYLE = (
    "border:1px solid var(--jp-border-color1,#888);border-radius:6px;padding:.4em .7em;"
    "max-width:16em"
)
_MISSING_STYLE = _BOX_STYLE + f";border-style:dashed;color:{_FAINT}"
_ARROW_STYLE = f"align-self:center;font-size:1.4em;color:{_FAINT}"


def translation_chain(section: Section, *, note: Section | None = None) -> Rendered:
    """The chain from the original to the text in the corpus, as boxes and arrows.

    Args:
        section: a section whose provenance records a translation.
        note: the section that states the translation (shown as evidence), if any.

    Raises:
        ValueError: the section is not a translation.
    """
    chain = section.provenance.translation
    if chain is None:
        raise ValueError(f"section {section.id!r} is an original, not a translation")
    origin = section.provenance.origin_text()
    original = "in the corpus" if chain.original_in_corpus else "not in the corpus"
    in_corpus = f"section {section.id!r}, {len(section.text):,} characters"
    steps = [
        (
            f"{LANGUAGES[chain.from_language]} original" if chain.from_stated else "original",
            f"{origin}; {original}",
            True,
        ),
        (f"{chain.kind}: {chain.engine}", _how(chain), False),
        (f"{LANGUAGES[section.language]} text in the corpus", in_corpus, False),
    ]
    if chain.original_in_corpus:
        steps[0] = (steps[0][0], steps[0][1], False)
    evidence = f"stated in the text: {note.text}" if note else ""
    boxes = [
        f'<div style="{_MISSING_STYLE if missing else _BOX_STYLE}"><b>{escape(title)}</b>'
        + (f"<br><small>{escape(detail)}</small>" if detail else "")
        + "</div>"
        for title, detail, missing in steps
    ]
    arrow = f'<div style="{_ARROW_STYLE}">→</div>'
    body = f'<div style="{_CHAIN_STYLE}">{arrow.join(boxes)}</div>'
    if evidence:
        body += f"<div><small>{escape(evidence)}</small></div>"
    text = " → ".join(title + (f" ({detail})" if detail else "") for title, detail, _ in steps)
    return Rendered(body, text + (f"\n{evidence}" if evidence else ""))


def _how(chain: Translation) -> str:
    parts = [] if chain.method != "unknown" else ["how it was made is not stated"]
    if not chain.from_stated:
        parts.append(f"probably from {LANGUAGES[chain.from_language]}; the text does not say")
    return "; ".join(parts)


_CATEGORY_COLOURS = {
    "term": "#fff3b0",
    "person": "#cde7ff",
    "organisation": "#d8f5d0",
    "location": "#f6d6f0",
    "event": "#ffd8c2",
}


def highlighted(
    text: str, start: int, end: int, matches: Sequence[Any], *, legend: bool = True
) -> Rendered:
    """``text[start:end]`` with each glossary match marked and explained in a tooltip.

    Args:
        text: the document's text.
        start, end: the span to show.
        matches: non-overlapping glossary matches inside the span, sorted by position.
        legend: add the line that explains the colours.
    """
    pieces: list[str] = []
    plain: list[str] = []
    cursor = start
    for match in matches:
        entry = match.entry
        colour = _CATEGORY_COLOURS[entry.type if entry.kind == "entity" else "term"]
        pieces.append(escape(text[cursor : match.start]))
        pieces.append(
            f'<mark style="background:{colour};color:#1f1f1f;padding:0 .1em" '
            f'title="{escape(entry.describe())}">'
            f"{escape(text[match.start : match.end])}</mark>"
        )
        plain.append(f"[{text[match.start : match.end]}]")
        cursor = match.end
    pieces.append(escape(text[cursor:end]))
    body = f'<div style="line-height:1.7;max-width:52em">{"".join(pieces)}</div>'
    if legend:
        body += glossary_legend()
    summary = f"{len(matches)} glossary matches: " + " ".join(plain)
    return Rendered(body, summary)


def glossary_legend() -> str:
    """The line under marked text that explains the marks' colours."""
    colours = " ".join(
        f'<span style="background:{colour};padding:0 .3em">{escape(name)}</span>'
        for name, colour in _CATEGORY_COLOURS.items()
    )
    return f"<div><small>hover a mark for its translation or role · {colours}</small></div>"


def word_diff(reference: str, other: str) -> Rendered:
    """``other`` compared word by word with ``reference``: words only in the reference are
    struck through, words only in ``other`` are underlined."""
    import difflib

    old, new = reference.split(), other.split()
    pieces: list[str] = []
    plain: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(escape(" ".join(old[a1:a2])))
            plain.append(" ".join(old[a1:a2]))
            continue
        if a2 > a1:
            removed = " ".join(old[a1:a2])
            pieces.append(f'<del style="background:#fbd5d5;color:#1f1f1f">{escape(removed)}</del>')
            plain.append(f"[-{removed}-]")
        if b2 > b1:
            added = " ".join(new[b1:b2])
            pieces.append(f'<ins style="background:#d5f5d5;color:#1f1f1f">{escape(added)}</ins>')
            plain.append(f"{{+{added}+}}")
    return Rendered(f'<div style="line-height:1.6">{" ".join(pieces)}</div>', " ".join(plain))


def side_by_side(columns: Sequence[tuple[str, str | None]]) -> Rendered:
    """Texts in labelled columns, e.g. source, reference and machine translation."""
    width = f"{100 // len(columns)}%"
    style = f"vertical-align:top;text-align:left;padding:.4em .8em;width:{width}"
    cells = "".join(
        f'<td style="{style}">{escape(text) if text is not None else MISSING_HTML}</td>'
        for _, text in columns
    )
    heads = "".join(f'<th style="text-align:left">{escape(label)}</th>' for label, _ in columns)
    plain = "\n".join(f"{label}: {text or '(not available)'}" for label, text in columns)
    return Rendered(f"<table><tr>{heads}</tr><tr>{cells}</tr></table>", plain)


MISSING_HTML = "<i>not available</i>"


def parallel_reading(
    rows: Sequence[tuple[str, Rendered, str | None]], *, heading: str, footer: str = ""
) -> Rendered:
    """Paragraphs for close reading: id, the marked text, and a translation beside it.

    Args:
        rows: ``(paragraph id, marked text, translation or None)`` in reading order.
        heading: the translation column's heading, e.g. "reference translation (en)".
        footer: HTML shown under the table (already escaped), e.g. :func:`glossary_legend`.
    """
    cell = f"vertical-align:top;text-align:left;padding:.35em .7em;border-top:1px solid {_RULE}"
    body = "".join(
        f'<tr><td style="{cell};color:{_FAINT};font-size:.85em">{escape(paragraph)}</td>'
        f'<td style="{cell};width:55%">{marked.html}</td>'
        f'<td style="{cell};color:var(--jp-content-font-color1,#1f1f1f);font-size:.9em">'
        f"{escape(translation) if translation is not None else MISSING_HTML}</td></tr>"
        for paragraph, marked, translation in rows
    )
    head = (
        '<tr><th></th><th style="text-align:left">text</th>'
        f'<th style="text-align:left">{escape(heading)}</th></tr>'
    )
    plain = "\n".join(
        f"{paragraph}: {marked.text}\n    → {translation or '(not available)'}"
        for paragraph, marked, translation in rows
    )
    table = f'<table style="border-collapse:collapse">{head}{body}</table>'
    return Rendered(table + footer, plain)


def feedback_box(title: str, lines: Sequence[str], state: str) -> str:
    """A check's feedback: a bar in the colour of ``state`` (``right``, ``wrong`` or ``open``),
    the title and the first line, then any further lines as a list."""
    colour = {
        "right": "var(--jp-success-color1,#2e7d32)",
        "wrong": "var(--jp-error-color1,#c62828)",
    }.get(state, _FAINT)
    head, *rest = lines
    items = "".join(f"<li>{escape(line)}</li>" for line in rest)
    return (
        f'<div style="border-left:4px solid {colour};padding:.2em .6em">'
        f"<b style='color:{colour}'>{escape(title)}</b>: {escape(head)}"
        f"{f'<ul style=margin:.2em>{items}</ul>' if items else ''}</div>"
    )


def full_table(frame: pd.DataFrame) -> Rendered:
    """A table shown whole: no cell cut short, no index; for tables of sentences."""
    import pandas as pd

    with pd.option_context("display.max_colwidth", None):
        html_table = frame.to_html(index=False, escape=True, na_rep="", border=0)
        plain = frame.to_string(index=False, na_rep="")
    return Rendered(
        _FULL_TABLE_STYLE
        + html_table.replace('class="dataframe"', 'class="dataframe corpus-table"'),
        plain,
    )


_FULL_TABLE_STYLE = (
    "<style>.corpus-table td, .corpus-table th {text-align:left;vertical-align:top}"
    " .corpus-table td:first-child {white-space:nowrap}</style>"
)


def kwic(lines: pd.DataFrame) -> Rendered:
    """Concordance lines as a table whose keyword column stays aligned: the left context
    right-aligned against the keyword, the right context left-aligned after it, no line
    wrapped; the other columns as they are. Queries of
    :func:`~corpus_tools.analysis.concordances` that found nothing are named under it."""
    import pandas as pd

    with pd.option_context("display.max_colwidth", None, "display.width", 250):
        plain = lines.to_string(index=False)
    without = lines.attrs.get("without_lines") or []
    note = f"no occurrence of: {', '.join(without)}" if without else ""
    side = "padding:.1em .4em;white-space:nowrap;vertical-align:top"
    styles = {
        "left": f"{side};text-align:right",
        "match": f"{side};text-align:center;font-weight:bold",
        "right": f"{side};text-align:left",
    }
    other = f"{side};text-align:left;color:{_FAINT};font-size:.85em"
    head = "".join(f'<th style="text-align:left">{escape(c)}</th>' for c in lines.columns)
    rows = "".join(
        "<tr>"
        + "".join(f'<td style="{styles.get(c, other)}">{escape(v)}</td>' for c, v in row.items())
        + "</tr>"
        for _, row in lines.iterrows()
    )
    table = f'<table class="corpus-kwic" style="border-collapse:collapse">{head}{rows}</table>'
    shown = f'<div style="overflow-x:auto">{table}</div>'
    if note:
        shown += f'<p style="color:{_FAINT}">{escape(note)}</p>'
        plain += f"\n{note}"
    return Rendered(shown, plain)


def guidelines(tagset: TagSet, labels: Sequence[str] | None = None) -> Rendered:
    """A tag set's guidelines in full: what it is for, the rules for every label, what not to
    tag, and for each label its definition, decision rules, examples and counter-examples (all
    quoted from the text), its MQM or NER type, and whether the corpus can judge it.

    Args:
        tagset: the tag set.
        labels: show only these labels' guidelines (default: the whole tag set).

    Raises:
        TagSetError: a label the tag set does not have.
    """
    chosen = [tagset.label(name) for name in labels] if labels is not None else tagset.labels
    lines = [f"Guidelines: {tagset.id} (version {tagset.version})", tagset.description]
    parts = [f"<h3>Guidelines: {escape(tagset.id)}</h3><p>{escape(tagset.description)}</p>"]
    general = (("For every label", tagset.rules), ("Do not tag", tagset.do_not_tag))
    for heading, items in general if labels is None else ():
        if items:
            lines += [f"{heading}:", *(f"  - {item}" for item in items)]
            parts.append(f"<p><b>{escape(heading)}</b></p>{_list(items)}")
    for label in chosen:
        text, markup = _label_guidelines(label)
        lines += text
        parts.append(markup)
    return Rendered("".join(parts), "\n".join(lines))


def _label_guidelines(label: Label) -> tuple[list[str], str]:
    mapped = label.mqm or label.ner
    head = f"[{label.shortcut}] {label.name}" + (f" ({mapped})" if mapped else "")
    sections = [
        ("Rules", label.rules),
        ("Examples", [f"“{example}”" for example in label.examples]),
        ("Not this", [f"“{c.text}”: {c.why}" for c in label.counter_examples]),
    ]
    text = [head, f"  {label.definition or label.description}"]
    markup = [
        f'<p style="margin-bottom:.2em"><b>{escape(head)}</b></p>'
        f'<p style="margin:.2em 0">{escape(label.definition or label.description)}</p>'
    ]
    if label.needs_original:
        note = "needs the original to judge: reported to your instructor, not scored"
        text.append(f"  ({note})")
        markup.append(f'<p style="margin:.2em 0"><i>{escape(note)}</i></p>')
    for heading, items in sections:
        if items:
            text += [f"  {heading}:", *(f"    - {item}" for item in items)]
            markup.append(f'<p style="margin:.2em 0">{escape(heading)}:</p>{_list(items)}')
    return text, "".join(markup)


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
