"""`corpus-tools export annotations`: a student's file in every format, from the shell."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cassis import load_cas_from_xmi, load_typesystem

from corpus_tools import Corpus
from corpus_tools.annotate import AnnotationStore
from corpus_tools.annotate.exports import XMI_LAYER, read_w3c_collection
from corpus_tools.annotate.keys import load_key
from corpus_tools.cli import main

from ..conftest import CORPUS, DOC_ID


@pytest.fixture
def student_file(corpus: Corpus, tmp_path: Path) -> Path:
    path = tmp_path / "ada.lovelace.jsonl"  # a dot in the name must not cut the file names
    AnnotationStore(path).add_many(load_key("translation-critique", corpus))
    with path.open("a", encoding="utf-8") as stream:
        stream.write('{"event": "add"}\n')  # a damaged line: reported, the rest exported
    return path


def test_every_format_from_the_shell(
    corpus: Corpus, student_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        main(["export", "annotations", str(student_file), str(out), "--corpus", str(CORPUS)]) == 0
    )
    printed = capsys.readouterr().out.splitlines()
    names = sorted(str(Path(line).relative_to(out)) for line in printed if line.startswith("/"))
    assert names == sorted([
        "ada.lovelace.w3c.json", f"brat/{DOC_ID}.txt", f"brat/{DOC_ID}.ann",
        "brat/annotation.conf", "brat/visual.conf",
        f"xmi/{DOC_ID}.xmi", "xmi/TypeSystem.xml", "ada.lovelace.csv",
    ])  # fmt: skip
    assert printed[-1] == "note: 1 damaged line(s) of the file skipped"
    key = sorted(load_key("translation-critique", corpus), key=lambda a: (a.start, a.end))
    collection = json.loads((out / "ada.lovelace.w3c.json").read_text("utf-8"))
    assert read_w3c_collection(collection) == key
    with (out / "ada.lovelace.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(int(r["start"]), r["text"]) for r in rows] == [(a.start, a.exact) for a in key]
    text = (out / "brat" / f"{DOC_ID}.txt").read_text("utf-8")
    assert text == corpus[DOC_ID].text
    with (out / "xmi" / "TypeSystem.xml").open("rb") as types:
        typesystem = load_typesystem(types)
    with (out / "xmi" / f"{DOC_ID}.xmi").open("rb") as stream:
        cas = load_cas_from_xmi(stream, typesystem=typesystem)
    spans = {(a.begin, a.end, a.tag) for a in cas.select(XMI_LAYER)}  # dkpro-cassis reads it
    assert spans == {(a.start, a.end, a.tag) for a in key} and cas.sofa_string == text
    tokens = cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token")
    assert [(t.begin, t.end) for t in tokens] == [(t.start, t.end) for t in corpus[DOC_ID].tokens]
    conf = (out / "brat" / "annotation.conf").read_text("utf-8")
    assert all(f"\n{a.tag.replace(' ', '_')}\n" in conf for a in key)


def test_one_format_only(student_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    status = main(["export", "annotations", str(student_file), str(out), "--format", "csv",
                   "--corpus", str(CORPUS)])  # fmt: skip
    assert status == 0 and sorted(p.name for p in out.iterdir()) == ["ada.lovelace.csv"]


def test_a_missing_or_empty_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nobody.jsonl"
    assert main(["export", "annotations", str(missing), str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (
        f"error: {missing}: no such annotation file; give a student's .jsonl\n"
    )
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", "utf-8")
    assert main(["export", "annotations", str(empty), str(tmp_path / "out")]) == 1
    assert "holds no annotation that fits the corpus's texts" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
