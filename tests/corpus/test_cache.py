"""Derived layers are cached by the source's hash: instant when warm, rebuilt when stale or
corrupt."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

import corpus_tools.corpus.cache
import corpus_tools.corpus.load
from corpus_tools import Document, load_corpus
from corpus_tools.errors import DocumentSpecError, SourceError

from ..conftest import CORPUS
from .layers_files import rewritten

DOC_ID = "riyadh-2025-02-18"


@pytest.fixture(autouse=True)
def _default_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests look at the cache in its default place, ``corpus/.cache`` of a copy."""
    monkeypatch.delenv("CORPUS_TOOLS_CACHE", raising=False)


def _layers_file(cache: Path) -> Path:
    """The one layers file of the document in ``cache`` (its name carries the key)."""
    (found,) = cache.glob(f"{DOC_ID}.*.layers.arrow")
    return found


def _forbid_segmenting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("layers were rebuilt although the cache was warm")

    monkeypatch.setattr(corpus_tools.corpus.load, "segment_paragraphs", refuse)


@dataclass(frozen=True)
class Built:
    """A copy of the corpus with its glossary, loaded once cold: its cache holds the layers,
    the validated manifest and the glossary's analysed forms."""

    root: Path
    doc: Document  # as the cold load made it
    matches: list[tuple[str, int, int]]  # the glossary's finds in it


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from corpus_tools.glossary import load_glossary

    root = tmp_path_factory.mktemp("built") / "corpus"
    for folder in ("documents", "sources", "glossary"):
        shutil.copytree(CORPUS / folder, root / folder)
    corpus = load_corpus(root, cache_dir=root / ".cache")  # where the tests' default puts it
    doc = corpus[DOC_ID]
    assert doc.tokens and doc.sentences  # built now, not when a test first asks
    found = [(m.entry_id, m.start, m.end) for m in load_glossary(corpus).find(doc)]
    return Built(root, doc, found)


@pytest.fixture
def warm_copy(built: Built, tmp_path: Path) -> Path:
    """A writable copy of ``built``, its cache warm: for tests that start from a built cache."""
    return Path(shutil.copytree(built.root, tmp_path / "corpus"))


def test_warm_cache_is_used(warm_copy: Path, built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _layers_file(warm_copy / ".cache").is_file()
    _forbid_segmenting(monkeypatch)
    monkeypatch.setattr(corpus_tools.corpus.cache, "read_manifest", _refuse_parsing)
    warm, cold = load_corpus(warm_copy)[DOC_ID], built.doc.manifest
    assert warm.manifest == replace(  # the same, but for where the copy is
        cold,
        path=warm_copy / cold.path.relative_to(built.root),
        source_path=warm_copy / cold.source_path.relative_to(built.root),
    )
    assert list(warm.tokens) == list(built.doc.tokens)
    assert list(warm.sentences) == list(built.doc.sentences)


def _refuse_parsing(*args: object) -> None:
    raise AssertionError("the document file was parsed again although it had not changed")


def test_edited_document_file_is_validated_again(warm_copy: Path) -> None:
    manifest = warm_copy / "documents" / f"{DOC_ID}.yaml"
    text = manifest.read_text("utf-8")
    manifest.write_text(text.replace("    kind: news_report\n", "    kind: blogpost\n"), "utf-8")
    with pytest.raises(DocumentSpecError, match="unknown kind 'blogpost'"):
        load_corpus(warm_copy)


def test_edited_source_under_a_cached_manifest_is_caught(warm_copy: Path) -> None:
    source = warm_copy / "sources" / f"{DOC_ID}.txt"
    source.write_bytes(source.read_bytes().replace(b"Energie", b"Energia"))
    with pytest.raises(SourceError, match="sources are never edited"):
        load_corpus(warm_copy)
    source.unlink()
    with pytest.raises(SourceError, match="does not exist"):
        load_corpus(warm_copy)


def _read_cache(path: Path) -> tuple[dict[str, Any], Any]:
    """The header and the payload of a JSON cache file."""
    header, _, payload = path.read_bytes().partition(b"\n")
    return json.loads(header), json.loads(payload)


def _write_cache(path: Path, header: dict[str, Any], payload: Any, *, checksum: bool) -> None:
    """Write a cache file, with the payload's checksum or keeping the old one."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if checksum:
        header = {**header, "sha256": hashlib.sha256(body).hexdigest()}
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_corrupt_manifest_cache_is_revalidated(warm_copy: Path) -> None:
    path = warm_copy / ".cache" / f"{DOC_ID}.manifest.json"
    header, payload = _read_cache(path)
    payload["sections"] = [["x"]]
    _write_cache(path, header, payload, checksum=True)  # sound as a file, wrong inside
    with pytest.warns(UserWarning, match=r"manifest\.json: ignoring the cached manifest"):
        doc = load_corpus(warm_copy)[DOC_ID]
    assert doc.section("russian-readout").provenance.translation is not None


def test_a_cached_manifest_changed_on_disk_fails_its_checksum(warm_copy: Path) -> None:
    """An edit that leaves a well-formed manifest (a section's language) is still caught."""
    path = warm_copy / ".cache" / f"{DOC_ID}.manifest.json"
    header, payload = _read_cache(path)
    caption = next(s for s in payload["sections"] if s[0] == "photo-caption")
    caption[5][1] = "de"  # the provenance's language
    _write_cache(path, header, payload, checksum=False)
    with pytest.warns(UserWarning, match=r"manifest\.json.*no longer matches its checksum"):
        doc = load_corpus(warm_copy)[DOC_ID]
    assert doc.section("photo-caption").language == "en"


def test_cache_files_are_readable_by_the_other_users_of_a_shared_corpus(
    with_glossary: Path,
) -> None:
    from corpus_tools.glossary import load_glossary

    umask = os.umask(0o022)
    try:
        load_glossary(load_corpus(with_glossary))
    finally:
        os.umask(umask)
    cache = with_glossary / ".cache"
    modes = {path.name.split(".")[-1]: path.stat().st_mode & 0o777 for path in cache.iterdir()}
    assert modes == {"json": 0o644, "arrow": 0o644}
    assert cache.stat().st_mode & 0o777 == 0o755


def test_changed_source_rebuilds(warm_copy: Path) -> None:
    source = warm_copy / "sources" / f"{DOC_ID}.txt"
    source.write_bytes(source.read_bytes().replace(b"Energie", b"Energia"))
    manifest = warm_copy / "documents" / f"{DOC_ID}.yaml"
    old = hashlib.sha256(source.read_bytes().replace(b"Energia", b"Energie")).hexdigest()
    new = hashlib.sha256(source.read_bytes()).hexdigest()
    manifest.write_text(manifest.read_text("utf-8").replace(old, new), "utf-8")
    doc = load_corpus(warm_copy)[DOC_ID]
    assert "Energia" in [t.text for t in doc.tokens]
    assert "Energie" not in [t.text for t in doc.tokens]


def test_changed_section_language_rebuilds(warm_copy: Path, built: Built) -> None:
    before = built.doc
    manifest = warm_copy / "documents" / f"{DOC_ID}.yaml"
    english = 'ends: "photo by Freddie Everett)"\n    language: en\n'
    text = manifest.read_text("utf-8")
    assert text.count(english) == 1
    manifest.write_text(text.replace(english, english.replace(": en", ": de")), "utf-8")
    after = load_corpus(warm_copy)[DOC_ID]
    assert after.section("photo-caption").language == "de"
    lemmas = [
        {t.text: t.lemma for t in doc.tokens if t.section.id == "photo-caption"}
        for doc in (before, after)
    ]
    assert (lemmas[0]["Advisor"], lemmas[0]["meeting"]) == ("advisor", "meet")
    assert lemmas[1]["Advisor"] == "Advisor"


def _set(name: str, row: int, value: Any) -> Callable[[dict[str, list[Any]]], None]:
    return lambda columns: columns[name].__setitem__(row, value)


def _shorten_a_word(columns: dict[str, list[Any]]) -> None:
    """End the first word of several characters one character early: every offset stays in
    order and in range, so only the checksum can tell."""
    spans = zip(columns["start"], columns["end"], strict=True)
    row = next(i for i, (start, end) in enumerate(spans) if end - start > 2)
    columns["end"][row] -= 1


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "garbage": lambda p: p.write_bytes(b"\x00\xff not arrow"),
    "offset-out-of-range": lambda p: rewritten(p, _set("start", 0, -5)),
    "overlapping-tokens": lambda p: rewritten(p, _set("end", 3, 10_000)),
    "sentence-numbers-skip": lambda p: rewritten(p, _set("sentence", -1, 99_999)),
    "missing-column": lambda p: rewritten(p, lambda columns: columns.pop("lemma")),
    "one-end-moved": lambda p: rewritten(p, _shorten_a_word),
    "null-lemma": lambda p: rewritten(p, _set("lemma", 0, None)),
}


SOUND_BUT_WRONG = ["offset-out-of-range", "overlapping-tokens", "sentence-numbers-skip"]


@pytest.mark.parametrize("name", SOUND_BUT_WRONG)
def test_layers_with_a_sound_checksum_are_still_checked(
    warm_copy: Path, built: Built, name: str
) -> None:
    """A file whose checksum fits wrong layers (a faulty writer) fails the checks of shape."""
    changes = {
        "offset-out-of-range": _set("start", 0, -5),
        "overlapping-tokens": _set("end", 3, 10_000),
        "sentence-numbers-skip": _set("sentence", -1, 99_999),
    }
    rewritten(_layers_file(warm_copy / ".cache"), changes[name], checksum=True)
    rebuilt = load_corpus(warm_copy)[DOC_ID]
    with pytest.warns(UserWarning, match="out of order or range|do not fit the paragraphs"):
        assert list(rebuilt.tokens) == list(built.doc.tokens)


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_corrupt_cache_is_rebuilt_not_trusted(
    warm_copy: Path, built: Built, damage: Callable[[Path], None]
) -> None:
    good = built.doc
    path = _layers_file(warm_copy / ".cache")
    damage(path)
    rebuilt = load_corpus(warm_copy)[DOC_ID]  # the file is read when first used
    with pytest.warns(UserWarning, match=r"layers\.arrow: (cache file|cached)"):
        assert list(rebuilt.tokens) == list(good.tokens)
    assert list(rebuilt.sentences) == list(good.sentences)
    assert list(load_corpus(warm_copy)[DOC_ID].tokens) == list(good.tokens)  # stored again


def test_a_sentence_that_leaves_its_paragraph_is_not_trusted(warm_copy: Path, built: Built) -> None:
    """Token and sentence columns can each be in order and still put a sentence across a
    paragraph break: the join of the first two sentences runs past the title's paragraph."""
    good = built.doc
    path = _layers_file(warm_copy / ".cache")
    first = good.paragraphs[0]
    assert good.sentences[0].end <= first.end < good.sentences[1].start

    def join_first_two(columns: dict[str, list[Any]]) -> None:
        columns["sentence"] = [max(0, number - 1) for number in columns["sentence"]]

    rewritten(path, join_first_two, checksum=True)
    rebuilt = load_corpus(warm_copy)[DOC_ID]
    with pytest.warns(UserWarning, match="do not fit the paragraphs"):
        assert list(rebuilt.sentences) == list(good.sentences)


def test_cache_dir_can_be_chosen(corpus_copy: Path, tmp_path: Path) -> None:
    load_corpus(corpus_copy, cache_dir=tmp_path / "elsewhere")
    assert _layers_file(tmp_path / "elsewhere").is_file()
    assert not (corpus_copy / ".cache").exists()


def test_unwritable_cache_still_loads(corpus_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.warns(UserWarning, match="cannot write the cache .* CORPUS_TOOLS_CACHE"):
        doc = load_corpus(corpus_copy, cache_dir=blocker / "cache")[DOC_ID]
    assert len(doc.tokens) > 1000


def test_several_documents_build_in_parallel_with_progress(
    corpus_copy: Path, capsys: pytest.CaptureFixture
) -> None:
    manifest = corpus_copy / "documents" / f"{DOC_ID}.yaml"
    for copy in ("copy-a", "copy-b"):
        text = manifest.read_text("utf-8").replace(f"id: {DOC_ID}", f"id: {copy}", 1)
        (corpus_copy / "documents" / f"{copy}.yaml").write_text(text, "utf-8")
    corpus = load_corpus(corpus_copy, workers=2)
    assert "segmenting" in capsys.readouterr().err
    assert list(corpus) == ["copy-a", "copy-b", DOC_ID]
    tokens = [[(t.start, t.end, t.lemma) for t in doc.tokens] for doc in corpus.values()]
    assert tokens[0] == tokens[1] == tokens[2]
    assert len(list((corpus_copy / ".cache").glob("*.layers.arrow"))) == 3


def test_import_and_warm_load_stay_light(warm_copy: Path) -> None:
    """Heavy libraries are imported only by the functions that need them: neither importing
    nor a warm load imports any (the cached layers are read when first used)."""
    probe = (
        "import sys, corpus_tools; before = set(sys.modules); "
        f"corpus_tools.load_corpus({str(warm_copy)!r}); after = set(sys.modules); "
        "heavy = {'pandas', 'somajo', 'simplemma', 'matplotlib', 'pyarrow', 'tqdm', 'numpy'}; "
        "print(sorted(heavy & before), sorted(heavy & after))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] []"


def test_the_manifest_cache_key_covers_every_module_the_validator_imports() -> None:
    from corpus_tools.corpus.cache import _imported_modules

    package = Path(corpus_tools.corpus.cache.__file__).resolve().parents[1]
    found = {p.relative_to(package).as_posix() for p in _imported_modules(
        package / "corpus" / "manifest.py", package)}  # fmt: skip
    assert found == {
        "corpus/manifest.py", "corpus/datafile.py", "corpus/provenance.py", "errors.py",
        "formatting.py", "corpus/unit_ids.py",
    }  # fmt: skip


@pytest.fixture
def with_glossary(corpus_copy: Path) -> Path:
    """The copy with the glossary too."""
    shutil.copytree(CORPUS / "glossary", corpus_copy / "glossary")
    return corpus_copy


def test_a_warm_first_cell_imports_neither_somajo_simplemma_nor_pandas(with_glossary: Path) -> None:
    """A notebook's first cell loads the corpus and the glossary; with both cached, the forms
    of the glossary are not analysed again, and nothing imports pandas (which alone takes
    longer than the whole cell)."""
    code = (
        "import sys, corpus_tools; from corpus_tools.glossary import load_glossary; "
        f"load_glossary(corpus_tools.load_corpus({str(with_glossary)!r})); "
        "print(sorted({'somajo', 'simplemma', 'pandas'} & set(sys.modules)))"
    )
    run = [sys.executable, "-c", code]
    cold = subprocess.run(run, capture_output=True, text=True, check=True)
    warm = subprocess.run(run, capture_output=True, text=True, check=True)
    assert cold.stdout.strip() == "['pandas', 'simplemma', 'somajo']"  # pyarrow's writer
    assert warm.stdout.strip() == "[]"
    assert (with_glossary / ".cache" / "glossary-forms.json").is_file()


@pytest.mark.parametrize("damage", ["{", "[1, 2]", "key-only", "short", "edited"])
def test_damaged_glossary_cache_is_rebuilt_with_a_warning(
    warm_copy: Path, built: Built, damage: str
) -> None:
    from corpus_tools.glossary import load_glossary

    corpus = load_corpus(warm_copy)
    cached = warm_copy / ".cache" / "glossary-forms.json"
    stored = _read_cache(cached)
    header, payload = stored
    if damage == "short":  # the right key and checksum over a payload that lost its last form
        _write_cache(cached, header, payload[:-1], checksum=True)
    elif damage == "key-only":
        _write_cache(cached, header, [[[], []]], checksum=True)
    elif damage == "edited":  # a form's lemma changed, the checksum left as it was
        _write_cache(cached, header, [[texts, ["x"] * len(texts)] for texts, _ in payload],
                     checksum=False)  # fmt: skip
    else:
        cached.write_text(damage)
    with pytest.warns(UserWarning, match="glossary-forms"):
        found = load_glossary(corpus).find(corpus[DOC_ID])
    assert [(m.entry_id, m.start, m.end) for m in found] == built.matches
    assert _read_cache(cached) == stored


def test_an_edited_glossary_form_is_analysed_again(warm_copy: Path) -> None:
    from corpus_tools.glossary import load_glossary

    corpus = load_corpus(warm_copy)
    cached = warm_copy / ".cache" / "glossary-forms.json"
    before = _read_cache(cached)[0]["key"]
    terms = warm_copy / "glossary" / "terms.yaml"
    text = terms.read_text(encoding="utf-8")
    assert "de: Außenminister\n" in text
    terms.write_text(text.replace("de: Außenminister\n", "de: [Außenminister, Chefdiplomat]\n"))
    glossary = load_glossary(corpus)
    assert _read_cache(cached)[0]["key"] != before
    assert [m.entry_id for m in glossary.find("Der Chefdiplomat reiste ab.")] == ["aussenminister"]


def test_a_warm_load_reads_no_layers_until_they_are_used(
    warm_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Path] = []
    real = corpus_tools.corpus.cache.read_layers

    def counted(path: Path, *args: Any, **kwargs: Any) -> Any:
        reads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(corpus_tools.corpus.cache, "read_layers", counted)
    _forbid_segmenting(monkeypatch)
    doc = load_corpus(warm_copy)[DOC_ID]
    assert reads == [] and len(doc.paragraphs) > 20
    assert doc.tokens[0].text and doc.sentences[0].text
    assert reads == [_layers_file(warm_copy / ".cache")]


def test_a_new_version_of_a_source_replaces_its_layers_file(warm_copy: Path) -> None:
    old = _layers_file(warm_copy / ".cache")
    source = warm_copy / "sources" / f"{DOC_ID}.txt"
    before = source.read_bytes()
    source.write_bytes(before.replace(b"Energie", b"Energia"))
    manifest = warm_copy / "documents" / f"{DOC_ID}.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace(
            hashlib.sha256(before).hexdigest(), hashlib.sha256(source.read_bytes()).hexdigest()
        ),
        "utf-8",
    )
    load_corpus(warm_copy)
    new = _layers_file(warm_copy / ".cache")  # exactly one file is left
    assert new != old and not old.exists()
