"""Property: whatever damage an editor does to a data file, loading it gives a CorpusError
(with the file named) or a valid result, never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from corpus_tools.annotate.tagsets import read_tagset
from corpus_tools.corpus.manifest import read_manifest
from corpus_tools.errors import CorpusError

from ..conftest import CORPUS

DOCUMENT = CORPUS / "documents" / "riyadh-2025-02-18.yaml"
TAGSET = CORPUS / "tagsets" / "translation-critique.yaml"
# What a slip of the hand or a bad merge puts into YAML: structure, quoting, anchors, tabs.
_PIECES = st.text(alphabet=":-[]{}&*!|>'\"#\t\n ,?%@`0123456789abcäß\u00a0\ufeff", max_size=12)


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` after one to three edits: a cut, an insertion, a line doubled or dropped."""
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        edit = draw(st.sampled_from(["cut", "insert", "replace", "double", "drop"]))
        lines = text.splitlines(keepends=True)
        line = draw(st.integers(0, max(0, len(lines) - 1)))
        if edit == "cut":
            text = text[:start] + text[end:]
        elif edit == "insert":
            text = text[:start] + draw(_PIECES) + text[start:]
        elif edit == "replace":
            text = text[:start] + draw(_PIECES) + text[end:]
        elif edit == "double" and lines:
            text = "".join(lines[: line + 1] + lines[line:])
        elif lines:
            text = "".join(lines[:line] + lines[line + 1 :])
    return text


def _loads_or_says_where(load: object, path: Path, text: str) -> None:
    path.write_text(text, "utf-8")
    try:
        load()  # type: ignore[operator]
    except CorpusError as exc:
        assert exc.path is not None and str(exc).startswith(str(exc.path))


@given(damaged(DOCUMENT.read_text("utf-8")))
def test_a_damaged_document_file_fails_with_a_corpus_error(tmp_path_factory, text: str) -> None:
    folder = tmp_path_factory.mktemp("document")
    path = folder / DOCUMENT.name
    _loads_or_says_where(lambda: read_manifest(path, CORPUS / "sources"), path, text)


@given(damaged(TAGSET.read_text("utf-8")))
def test_a_damaged_tag_set_fails_with_a_corpus_error(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("tagset") / TAGSET.name
    _loads_or_says_where(lambda: read_tagset(path), path, text)
