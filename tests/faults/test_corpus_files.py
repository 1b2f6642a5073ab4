"""Faults in the corpus's own files, and in the file system under them.

Each case damages one file or folder of a copy of the corpus and checks three things: that
``validate`` reports it as a :class:`CorpusError` naming the file, with what to do; that it
never hangs or raises anything else; and that no other file of the corpus was touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus_tools.cli import main
from corpus_tools.corpus import datafile
from corpus_tools.corpus.datafile import load_yaml
from corpus_tools.errors import CorpusError, DataFileError
from corpus_tools.validation import Validation, validate
from tests.conftest import CORPUS

DOC = "documents/riyadh-2025-02-18.yaml"
DATA_FILES = [
    DOC,
    "sources/riyadh-2025-02-18.txt",
    "glossary/terms.yaml",
    "tagsets/entities.yaml",
    "exercises/01_german_commentary.yaml",
    "keys/diplomatic-discourse.jsonl",
    "alignments/riyadh-2025-02-18.yaml",
    "translations/riyadh-2025-02-18.yaml",
    "assignments/readout-critique.yaml",
]
FOLDERS = ["glossary", "tagsets", "exercises", "keys", "alignments", "translations", "assignments"]


@pytest.fixture
def whole_corpus(tmp_path: Path) -> Path:
    """A writable copy of every file of the corpus."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns(".cache"))
    return root


def _digests(root: Path) -> dict[str, str]:
    """Every file's checksum, read with ``open`` (a test may patch ``Path.read_bytes``)."""
    return {
        str(p.relative_to(root)): _digest(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _validated(root: Path, damage: Callable[[], object]) -> Validation:
    """Damage the corpus, validate it, and check that nothing else changed."""
    damage()
    before = _digests(root)
    report = validate(root)
    assert _digests(root) == before, "validating changed the corpus"
    assert not report.valid
    return report


def _problem_at(report: Validation, path: Path) -> CorpusError:
    found = [p for p in report.problems if p.path == path]
    assert found, f"no problem names {path}: {[str(p) for p in report.problems]}"
    return found[0]


def _as_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _as_loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path)


@pytest.mark.parametrize("relative", DATA_FILES)
def test_a_named_pipe_is_refused_without_waiting(whole_corpus: Path, relative: str) -> None:
    path = whole_corpus / relative
    report = _validated(whole_corpus, lambda: _as_fifo(path))
    problem = _problem_at(report, path)
    assert "not an ordinary file (a named pipe" in str(problem)


@pytest.mark.parametrize("relative", DATA_FILES)
def test_a_symbolic_link_loop_is_named(whole_corpus: Path, relative: str) -> None:
    path = whole_corpus / relative
    report = _validated(whole_corpus, lambda: _as_loop(path))
    assert "back to itself" in str(_problem_at(report, path)) or "back to themselves" in (
        str(_problem_at(report, path))
    )


@pytest.mark.parametrize("relative", [DOC, "glossary/terms.yaml", "tagsets/entities.yaml"])
def test_permission_denied_says_so(
    whole_corpus: Path, relative: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = whole_corpus / relative
    read = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self)

    report = _validated(whole_corpus, lambda: monkeypatch.setattr(Path, "read_bytes", refuse))
    message = str(_problem_at(report, path))
    assert "Permission denied" in message and "permissions" in message


@pytest.mark.parametrize("relative", ["glossary/terms.yaml", "tagsets/entities.yaml"])
def test_a_folder_where_a_file_belongs(whole_corpus: Path, relative: str) -> None:
    path = whole_corpus / relative

    def damage() -> None:
        path.unlink()
        path.mkdir()

    report = _validated(whole_corpus, damage)
    # a folder named like a data file is not one of them, and the file it replaced is missed
    assert report.problems


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_file_where_a_folder_belongs(whole_corpus: Path, folder: str) -> None:
    path = whole_corpus / folder

    def damage() -> None:
        shutil.rmtree(path)
        path.write_text("not a folder\n", "utf-8")

    report = _validated(whole_corpus, damage)
    assert "keeps its" in str(_problem_at(report, path)) and "this is a file" in str(
        _problem_at(report, path)
    )


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "relative", [DOC, "glossary/terms.yaml", "alignments/riyadh-2025-02-18.yaml"]
)
def test_an_alias_bomb_is_refused_before_it_grows(whole_corpus: Path, relative: str) -> None:
    path = whole_corpus / relative
    report = _validated(whole_corpus, lambda: path.write_text(_bomb(9), "utf-8"))
    message = str(_problem_at(report, path))
    # the line of the value whose aliases passed the limit
    assert f"{path}:4: aliases (*name) of the value here and others stand for more than " in message


def test_a_few_aliases_still_read(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(_bomb(3) + "uses: [*l2, *l1]\n", "utf-8")
    data = load_yaml(path)
    assert data["uses"] == [data["l2"], data["l1"]] and data["l1"] == [["lol"] * 9] * 9


def test_an_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datafile, "MAX_YAML_BYTES", 1_000)
    path = tmp_path / "big.yaml"
    path.write_text("terms:\n" + "  - x\n" * 500, "utf-8")
    with pytest.raises(DataFileError, match="3,007 characters is more than a YAML file may hold"):
        load_yaml(path)


def test_an_alignment_of_an_unknown_document(whole_corpus: Path) -> None:
    path = whole_corpus / "alignments" / "riyadh-2025-02-18.yaml"
    text = path.read_text("utf-8").replace("document: riyadh-2025-02-18", "document: no-such", 1)
    report = _validated(whole_corpus, lambda: path.write_text(text, "utf-8"))
    message = str(_problem_at(report, path))
    assert "unknown document 'no-such'; expected one of: riyadh-2025-02-18" in message


def test_a_translation_of_an_unknown_document(whole_corpus: Path) -> None:
    path = whole_corpus / "translations" / "riyadh-2025-02-18.yaml"
    text = path.read_text("utf-8").replace("document: riyadh-2025-02-18", "document: no-such", 1)
    report = _validated(whole_corpus, lambda: path.write_text(text, "utf-8"))
    assert "unknown document 'no-such'" in str(_problem_at(report, path))


def test_a_source_linked_from_outside_the_sources_folder(whole_corpus: Path) -> None:
    source = whole_corpus / "sources" / "riyadh-2025-02-18.txt"
    outside = whole_corpus.parent / "elsewhere.txt"

    def damage() -> None:
        shutil.move(source, outside)
        source.symlink_to(outside)

    report = _validated(whole_corpus, damage)
    assert "lies outside" in str(report.problems[0])


def test_cli_export_into_a_file_is_one_line(
    whole_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out"
    target.write_text("keep me\n", "utf-8")
    assert main(["export", "layers", str(target), "--corpus", str(whole_corpus)]) == 1
    error = capsys.readouterr().err
    assert error.splitlines() == [
        f"error: {target}: cannot write the Parquet export (a file stands where a folder is "
        "needed); choose a folder you can write to, with room on its disk"
    ]
    assert target.read_text("utf-8") == "keep me\n"


def test_cli_export_on_a_full_disk(
    whole_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    import pyarrow.parquet as pq

    def full(table: object, path: object, **_: object) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pq, "write_table", full)
    assert main(["export", "layers", str(tmp_path / "out"), "--corpus", str(whole_corpus)]) == 1
    error = capsys.readouterr().err
    assert (
        f"{tmp_path / 'out' / 'documents.parquet'}: cannot write the Parquet export (No space"
        in (error)
    )
    assert "Traceback" not in error


def test_cli_reports_an_unforeseen_file_system_error_in_one_line(
    whole_corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpus_tools import validation

    def broken(root: object) -> None:
        raise OSError(5, "Input/output error", "/mnt/usb/corpus")

    monkeypatch.setattr(validation, "validate", broken)
    assert main(["validate", str(whole_corpus)]) == 1
    assert capsys.readouterr().err == (
        "error: /mnt/usb/corpus: Input/output error; check the path and try again\n"
    )


def test_cli_warnings_are_single_lines_said_once(
    whole_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(blocked))
    assert main(["validate", str(whole_corpus)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line]
    assert warnings == [
        f"warning: {blocked}: cannot write the cache (File exists); everything will be rebuilt "
        "at every load until CORPUS_TOOLS_CACHE names a writable folder"
    ]


@pytest.mark.parametrize("folder", ["documents", "tagsets", "exercises", "alignments", "keys"])
def test_an_editors_hidden_lock_file_is_not_read(whole_corpus: Path, folder: str) -> None:
    lock = whole_corpus / folder / ".#riyadh-2025-02-18.yaml"
    lock.symlink_to("root@host.12345:1700000000")  # what Emacs leaves while a file is edited
    (whole_corpus / folder / ".#notes.jsonl").symlink_to("root@host.12345:1700000000")
    assert validate(whole_corpus).valid


def test_an_annotation_file_that_is_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    from corpus_tools.annotate import AnnotationStore
    from corpus_tools.errors import AnnotationError, SaveError

    pipe = tmp_path / "student.jsonl"
    os.mkfifo(pipe)
    store = AnnotationStore(pipe)
    with pytest.raises(AnnotationError, match=r"not an ordinary file .* named pipe"):
        store.load()
    with pytest.raises(SaveError, match=r"not an ordinary file .* nothing was saved"):
        store.delete("a1")
