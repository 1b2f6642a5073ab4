"""The alignment of the two readouts: every sentence linked or marked as without counterpart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus_tools import Corpus, Document
from corpus_tools.corpus.alignment import load_alignment
from corpus_tools.errors import AlignmentError

from ..conftest import CORPUS

FILE = "riyadh-2025-02-18.yaml"


def test_alignment_covers_both_readouts(corpus: Corpus, doc: Document) -> None:
    alignment = load_alignment(corpus)
    frame = alignment.to_frame()
    us = doc.section("us-statement")
    assert set(frame.us) - {""} == {s.id for s in doc.sentences.covered_by(us.start, us.end)}
    economic = frame[frame["U.S. statement"].str.startswith("Lay the groundwork")]
    assert list(economic.relation) == ["condition differs"]
    assert "successful end" in economic.note.iloc[0]
    counts = dict(zip(*alignment.relation_counts().T.values, strict=True))
    assert counts["no counterpart"] == 7 and sum(counts.values()) == len(alignment.links)
    assert next(iter(alignment.relations)) == "no counterpart"  # the first test in the order


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(CORPUS / "alignments", tmp_path / "alignments")
    path = tmp_path / "alignments" / FILE
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('  - us: "We must take action"\n    relation: no counterpart\n', "",
         "1 sentence(s) of 'us-statement' are in no link, first s18: 'We must take action"),
        ("    relation: condition differs\n    note: >-\n      The U.S. ties",
         "    relation: opposite\n    note: >-\n      The U.S. ties",
         "unknown relation 'opposite'"),
        ('russian: "Beide Seiten bekräftigten"', 'russian: "Beide Seiten"',
         "'Beide Seiten' begins 4 sentences of that section; quote more"),
        ('  - us: "President Trump wants to stop"\n',
         '  - us: "President Trump wants to stop"\n    russian: "Sie bestätigten ihr Interesse"\n',
         "a link with one side has the relation 'no counterpart', and only such a link"),
    ],
)  # fmt: skip
def test_broken_alignment_names_file_and_line(
    corpus: Corpus, tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(AlignmentError, match=r"riyadh-2025-02-18\.yaml:\d+: ") as caught:
        load_alignment(corpus, path)
    assert message in str(caught.value)
