"""The offset map between two versions of a text, with Hypothesis: edits of the real document
(which repeats a paragraph word for word), inside lines and across them, with every kind of line
break Python knows."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus_tools import Document
from corpus_tools.corpus.textdiff import OffsetMap

# (line number, where in the line as a fraction, how many characters to remove, text to put there)
_EDIT = st.tuples(
    st.integers(0, 10_000),
    st.floats(0, 1),
    st.integers(0, 12),
    st.text(
        st.characters(blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=8
    ),
)


@pytest.fixture(scope="module")
def lines(doc: Document) -> list[str]:
    return doc.text.splitlines(keepends=True)


def _edited(
    lines: list[str], edits: list[tuple[int, float, int, str]]
) -> tuple[list[str], set[int]]:
    """The lines with the edits made inside them (never across a line break), and which lines
    changed."""
    new, changed = list(lines), set()
    for number, where, removed, inserted in edits:
        number %= len(lines)
        body = new[number].rstrip("\n")
        at = int(where * len(body))
        edited = body[:at] + inserted + body[at + removed :] + new[number][len(body) :]
        if edited != new[number]:
            new[number] = edited
            changed.add(number)
    return new, changed


@given(edits=st.lists(_EDIT, max_size=6))
def test_the_map_tiles_both_texts_and_keeps_every_untouched_line(
    lines: list[str], edits: list[tuple[int, float, int, str]]
) -> None:
    new_lines, changed = _edited(lines, edits)
    old, new = "".join(lines), "".join(new_lines)
    offsets = OffsetMap.between(old, new)

    old_end = new_end = 0
    for tag, i1, i2, j1, j2 in offsets.opcodes:
        assert (i1, j1) == (old_end, new_end)
        old_end, new_end = i2, j2
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
    assert (old_end, new_end) == (len(old), len(new))

    start = 0
    for number, line in enumerate(lines):
        end = start + len(line)
        if number not in changed:
            assert offsets.intact(start, end)
            assert new[offsets.point(start) : offsets.end(end)] == line
        start = end


# (where in the text as a fraction, how many characters to remove, text to put there)
_ANYWHERE = st.tuples(
    st.floats(0, 1),
    st.integers(0, 300),
    st.lists(
        st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x0b", "\x85", "a", "ß", " "]), max_size=8
    ).map("".join),
)


@given(edits=st.lists(_ANYWHERE, max_size=5))
def test_what_the_map_calls_unchanged_is_unchanged_whatever_the_edit(
    doc: Document, edits: list[tuple[float, int, str]]
) -> None:
    old = new = doc.text
    for where, removed, inserted in edits:
        at = int(where * len(new))
        new = new[:at] + inserted + new[at + removed :]
    offsets = OffsetMap.between(old, new)
    old_end = new_end = 0
    for tag, i1, i2, j1, j2 in offsets.opcodes:
        assert (i1, j1) == (old_end, new_end) and (i1 < i2 or j1 < j2)
        old_end, new_end = i2, j2
        assert (
            old[i1:i2] == new[j1:j2] if tag == "equal" else tag in {"replace", "delete", "insert"}
        )
    assert (old_end, new_end) == (len(old), len(new))
    tags = [opcode[0] for opcode in offsets.opcodes]
    assert all(a != b for a, b in itertools.pairwise(tags)), "neighbours of one kind are merged"


def test_a_corrected_word_and_an_added_paragraph_change_only_themselves(doc: Document) -> None:
    old = doc.text
    start = old.index("Gespräche")
    end = start + len("Gespräche")
    assert not old.endswith("\n")
    new = old[:start] + "Unterredungen" + old[end:] + "\n\nNachtrag."
    offsets = OffsetMap.between(old, new)
    assert offsets.changed
    for i1, i2, _, _ in offsets.changed:
        assert start <= i1 <= i2 <= end or i1 == i2 == len(old)
    assert offsets.intact(0, start) and offsets.intact(end, len(old))
    assert offsets.point(end) == end + len("Unterredungen") - len("Gespräche")
    assert new[offsets.point(end) : offsets.end(len(old))] == old[end:]
