"""A new version of a source: ``corpus-tools update`` plans, then carries the document file, the
keys, the translations, the alignment and the students' annotations across, and nothing moves
in silence."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import corpus_tools.corpus.load
from corpus_tools.annotate import Annotation, AnnotationStore, load_tagsets, make_annotation
from corpus_tools.annotate.store import is_lock_file
from corpus_tools.cli import main
from corpus_tools.corpus import Corpus, load_corpus
from corpus_tools.corpus.alignment import load_alignment
from corpus_tools.corpus.columnar import as_lists
from corpus_tools.corpus.references import load_references
from corpus_tools.errors import SaveError, UpdateError
from corpus_tools.glossary import Glossary
from corpus_tools.translate import Translator
from corpus_tools.update import apply_update, plan_update
from corpus_tools.validation import validate

from .conftest import CORPUS, DOC_ID, PROJECT
from .kernel_reset import reset_code

if TYPE_CHECKING:
    from nbclient import NotebookClient

OLD_TEXT = (CORPUS / "sources" / f"{DOC_ID}.txt").read_text("utf-8")
CORRECTED = ("Bei Treffen der Außenminister", "Beim Treffen der Außenminister")
"""One corrected word in the commentary's second sentence (p2, s3)."""
ADDENDUM = (
    "Nachtrag: Am Mittwoch bestätigte das State Department, dass die Teams in den kommenden "
    "Wochen erneut zusammenkommen sollen."
)
NEW_TEXT = OLD_TEXT.replace(*CORRECTED) + "\n\n" + ADDENDUM


@pytest.fixture(scope="module")
def warm_cache(
    tmp_path_factory: pytest.TempPathFactory, layer_cache: Path, corpus: Corpus, glossary: Glossary
) -> Path:
    """A layer cache holding the real corpus's layers and glossary forms, for each test here
    to start its own from: a copy of the run's (which ``corpus`` and ``glossary`` filled), less
    files still being written."""
    for doc in corpus.values():
        len(doc.tokens)
    folder = tmp_path_factory.mktemp("update-layer-cache")
    for entry in os.scandir(layer_cache):
        if entry.is_file() and not entry.name.endswith(".part"):
            with suppress(FileNotFoundError):  # replaced by a newer file as it was listed
                shutil.copy2(entry.path, folder / entry.name)
    return folder


@pytest.fixture
def project(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    warm_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A copy of the project (the corpus, the notebooks beside it) and the new text, with a
    layer cache of its own: in the test run's, the updated document's layers would take the
    place of the real document's, which the other tests and the notebooks read."""
    assert OLD_TEXT.count(CORRECTED[0]) == 1
    cache = tmp_path_factory.mktemp("layer-cache") / "cache"
    shutil.copytree(warm_cache, cache)
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(cache))
    shutil.copytree(CORPUS, tmp_path / "corpus", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(PROJECT / "notebooks", tmp_path / "notebooks")
    (tmp_path / "new.txt").write_text(NEW_TEXT, encoding="utf-8", newline="")
    return tmp_path


def _student(project: Path) -> Path:
    """Ada's file: a span on the corrected words, one on the Russian readout."""
    corpus = load_corpus(project / "corpus")
    doc, tagset = corpus[DOC_ID], load_tagsets(CORPUS / "tagsets")["diplomatic-discourse"]
    store = AnnotationStore(project / "annotations" / "ada.jsonl")
    for phrase, tag in (("Bei Treffen", "hedge"), ("Beide Seiten kamen überein", "commitment")):
        start = doc.text.index(phrase)
        end = start + len(phrase)
        store.add(make_annotation(doc.text, DOC_ID, start, end, tag, tagset, creator="ada"))
    return store.path


def _update(project: Path, *options: str) -> int:
    return main(["update", DOC_ID, str(project / "new.txt"), "--corpus",
                 str(project / "corpus"), "--annotations", str(project / "annotations"),
                 *options])  # fmt: skip


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_dry_run_lists_the_plan_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _student(project)
    before = _files(project)
    assert _update(project) == 0
    assert _files(project) == before
    out = capsys.readouterr().out
    assert "riyadh-2025-02-18.txt → sources/riyadh-2025-02-18.v2.txt" in out
    assert "  changed   introduction [60, 479] → [60, 480]" in out
    assert "  moved     russian-readout [2457, 5686] → [2458, 5687]" in out
    start = len(NEW_TEXT) - len(ADDENDUM)
    assert f"  new text  added-1 [{start}, {len(NEW_TEXT)}] 'Nachtrag: Am Mittwoch" in out
    assert "annotations keys/diplomatic-discourse.jsonl: 67 moved" in out
    assert "annotations annotations/ada.jsonl: 1 orphaned, 1 moved" in out
    at = OLD_TEXT.index("Bei Treffen")
    assert f"“Bei Treffen” [{at}, {at + 11})\n" in out
    assert "  stale     p2: marked stale" in out
    assert "  new       p27: drafted, its text FILL IN" in out
    assert "alignment: 20 links resolve in the new text" in out
    assert "  edited    p2 in notebooks/01_german_commentary.ipynb" in out
    assert "needs review: nothing" in out
    assert "dry run: nothing was written" in out


def test_the_new_version_is_segmented_only_where_it_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update, and the first load after it, segment the corrected paragraph and the
    addendum: every other paragraph keeps the layers the cache holds for it."""
    segmented: list[str] = []
    real = corpus_tools.corpus.load.segment_paragraphs

    def counted(text: str, paragraphs: list[tuple[int, int, str]]) -> Any:
        segmented.extend(text[start:end] for start, end, _ in paragraphs)
        return real(text, paragraphs)

    monkeypatch.setattr(corpus_tools.corpus.load, "segment_paragraphs", counted)
    assert _update(project, "--apply") == 0
    _fill_in_kind(project / "corpus")
    doc = load_corpus(project / "corpus")[DOC_ID]
    corrected = next(p.text for p in doc.paragraphs if CORRECTED[1] in p.text)
    assert len(doc.paragraphs) == 27 and set(segmented) == {corrected, ADDENDUM}
    cold = load_corpus(project / "corpus", cache_dir=project / "cold")[DOC_ID]
    assert as_lists(doc._segmentation()) == as_lists(cold._segmentation())  # every column


@pytest.mark.slow  # runs every notebook
def test_apply_carries_everything_across_and_validate_passes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project / "corpus"
    ada = _student(project)
    ada_before = ada.read_bytes()
    keys_before = {p.name: AnnotationStore(p).load().annotations for p in root.glob("keys/*")}
    assert _update(project, "--apply") == 0

    # the old version stays, named in the document file; the new one is copied byte for byte
    assert (root / "sources" / f"{DOC_ID}.txt").read_text("utf-8") == OLD_TEXT
    assert (root / "sources" / f"{DOC_ID}.v2.txt").read_bytes() == NEW_TEXT.encode("utf-8")
    # validate lists what is left for the instructor, who fills it in
    (problem,) = validate(root).problems
    assert "still say 'FILL IN'" in str(problem) and "sections[added-1].kind" in str(problem)
    _fill_in_kind(root)
    (problem,) = validate(root).problems
    assert "the translation still says 'FILL IN': write it" in str(problem)
    _fill_in_translation(root)
    report = validate(root)
    assert report.valid, report.problems
    assert report.notes == [
        f"translations: {DOC_ID} p2 is marked stale (its paragraph changed); check the "
        "translation against the new text, then remove its 'stale' and 'old_source'"
    ]

    corpus = load_corpus(root)
    doc = corpus[DOC_ID]
    assert [(v.source, v.replaced[:2]) for v in doc.manifest.versions] == [(f"{DOC_ID}.txt", "20")]
    assert doc.section("added-1").text == ADDENDUM
    # no key annotation is orphaned (none quotes the corrected word); each keeps its text
    for name, before in keys_before.items():
        now = AnnotationStore(root / "keys" / name).load({DOC_ID: doc.text})
        assert not now.orphans and not now.moved
        assert {(a.id, a.exact) for a in now.annotations} == {(a.id, a.exact) for a in before}
        assert all(doc.text[a.start : a.end] == a.exact for a in now.annotations)
    # the alignment still covers every sentence of both readouts
    alignment = load_alignment(corpus)
    for section in ("us-statement", "russian-readout"):
        linked = {s.index for link in alignment.links for s in (link.us, link.russian) if s}
        within = doc.sentences.covered_by(*_span(doc, section))
        assert all(s.index in linked for s in within if s.paragraph.duplicate_of is None)
    # the changed paragraph's translation is stale, with the text it translates
    stale = load_references(corpus).stale
    assert [(e.paragraph, e.old_source) for e in stale] == [("p2", _old_paragraph(2))]
    # and whoever is given it as the paragraph's translation is told so
    translator = Translator(corpus, cache=root.parent / "translations.sqlite3", say=lambda _: None)
    (given,) = translator.translate([doc.paragraphs[1].text], "en", backend="reference")
    assert given.note.startswith("this reference translation was made for an earlier version")
    # the student's file was only appended to: an edit for the span that moved
    assert ada.read_bytes().startswith(ada_before)
    events = [json.loads(line) for line in ada.read_bytes()[len(ada_before) :].splitlines()]
    assert [e["event"] for e in events] == ["edit"]
    ada_now = AnnotationStore(ada).load({DOC_ID: doc.text})
    assert [a.exact for a in ada_now.orphans] == ["Bei Treffen"]

    # the notebooks still run: all of them, against the updated corpus beside them
    notebooks = sorted((project / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(list((PROJECT / "notebooks").glob("*.ipynb")))
    shown = _run_notebooks(notebooks, root, monkeypatch)
    assert f"<Document {DOC_ID!r}: {len(NEW_TEXT):,} characters" in shown["00_start_here.ipynb"]
    # the readout's last paragraph
    assert (
        "zu ernennenden Sonderbeauftragten fortzusetzen." in shown["03_russian_readout_deepl.ipynb"]
    )
    # no key is set: the translation lab is given the reference translations, never DeepL's
    assert "0 characters billed in 0 DeepL requests" in shown["06_translation_lab.ipynb"]


def test_apply_refuses_while_a_key_span_would_be_orphaned(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = NEW_TEXT.replace("as soon as possible", "as quickly as possible", 1)
    (project / "new.txt").write_text(changed, encoding="utf-8")
    before = _files(project)
    assert _update(project, "--apply") == 1
    captured = capsys.readouterr()
    assert "of the answer key quotes text the new version lacks: tag again" in captured.out
    assert "need review before the update is applied" in captured.err
    assert _files(project) == before


def _fill_in_kind(root: Path) -> None:
    """What an instructor does next: a kind for the new section ..."""
    document = root / "documents" / f"{DOC_ID}.yaml"
    text = document.read_text("utf-8")
    document.write_text(
        text.replace('kind: "FILL IN: a kind (see corpus/README.md)"', "kind: commentary"), "utf-8"
    )


def _fill_in_translation(root: Path) -> None:
    """... and a translation for the new paragraph, p27."""
    translations = root / "translations" / f"{DOC_ID}.yaml"
    text = translations.read_text("utf-8")
    english = (
        "Addendum: On Wednesday the State Department confirmed that the teams are to meet again "
        "in the coming weeks."
    )
    translations.write_text(
        text.replace('text: "FILL IN: the translation into en"', f"text: {json.dumps(english)}"),
        "utf-8",
    )


def _span(doc: object, section_id: str) -> tuple[int, int]:
    section = doc.section(section_id)  # type: ignore[attr-defined]
    return section.start, section.end


def _old_paragraph(number: int) -> str:
    return [line for line in OLD_TEXT.splitlines() if line.strip()][number - 1]


def _run_notebooks(
    paths: list[Path], root: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Execute the notebooks against the updated corpus (their outputs may differ), one after
    another in one kernel and one client, each from ``reset_code``: each runs without an error;
    what its cells showed, as text, by notebook."""
    import nbformat
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    monkeypatch.setenv("CORPUS_TOOLS_ROOT", str(root))
    # the kernel imports the package under test, wherever the environment installed it from
    inherited = os.environ.get("PYTHONPATH")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(PROJECT / "src"), *filter(None, [inherited])])
    )
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the client does not own the kernel, so it keeps it (and its channels) between notebooks;
    # the first notebook starts it, in the notebooks' folder
    folder = {"metadata": {"path": str(paths[0].parent)}}
    kernel = KernelManager(kernel_name="python3")
    client = NotebookClient(nbformat.v4.new_notebook(), km=kernel, timeout=120, resources=folder)
    try:
        return {path.name: _run_notebook(client, path) for path in paths}
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)


def _run_notebook(client: NotebookClient, path: Path) -> str:
    """Run the notebook top to bottom after ``reset_code``; fail naming the notebook and the cell
    that failed; what its cells showed, as text."""
    import nbformat

    client.nb = nbformat.read(path, as_version=4)
    client.nb.cells.insert(0, nbformat.v4.new_code_cell(reset_code(path.parent)))
    started: list[int] = []
    client.on_cell_start = lambda cell, cell_index: started.append(cell_index)
    try:
        client.execute()
    except Exception as error:
        where = f"cell {started[-1] - 1}" if started and started[-1] else "its reset"
        raise AssertionError(f"{path.name}, {where}: {error}") from error
    cells = client.nb.cells[1:]
    errors = [(i, o) for i, c in enumerate(cells) for o in c.get("outputs", [])
              if o.output_type == "error"]  # fmt: skip
    assert not errors, f"{path.name}, cell {errors[0][0]}: {errors[0][1].get('ename')}"
    return "\n".join(o.get("data", {}).get("text/plain", "") for c in cells
                     for o in c.get("outputs", []))  # fmt: skip


INSERTED = (
    "Anmerkung der Redaktion: Die Erklärung wird hier in der Übersetzung wiedergegeben, die das "
    "Ministerium verbreitet hat."
)
READOUT_BEGINS = "Im Einklang mit der Vereinbarung"


def test_text_inserted_before_named_units_leaves_their_ids_naming_the_same_text(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project / "corpus"
    old = load_corpus(root)[DOC_ID]
    assert old.paragraphs["p14"].text.startswith(READOUT_BEGINS)  # named by assignments, keys
    inserted = OLD_TEXT.replace(READOUT_BEGINS, f"{INSERTED}\n\n{READOUT_BEGINS}", 1)
    (project / "new.txt").write_text(inserted, encoding="utf-8")
    assert _update(project, "--apply") == 0
    out = capsys.readouterr().out
    assert "paragraphs' ids kept for their text (unit_ids): p1-p13 p13a p14-p26" in out
    assert "  new       p13a: drafted, its text FILL IN" in out
    assert "unit references: 111 same\n" in out
    _fill_in_kind(root)
    translations = root / "translations" / f"{DOC_ID}.yaml"
    translations.write_text(
        translations.read_text("utf-8").replace(
            'text: "FILL IN: the translation into en"', 'text: "Editorial note: ..."'
        ),
        "utf-8",
    )
    report = validate(root)
    assert report.valid, report.problems
    new = load_corpus(root)[DOC_ID]
    assert new.paragraphs["p13a"].text == INSERTED
    assert [p.id for p in new.paragraphs][12:15] == ["p13", "p13a", "p14"]
    for layer in ("paragraphs", "sentences"):
        for unit in getattr(old, layer):
            assert getattr(new, layer)[unit.id].text == unit.text
    frame = new.paragraphs.to_frame()
    assert list(frame.id[12:15]) == ["p13", "p13a", "p14"]
    assert new.sentences.to_frame().paragraph.tolist().count("p13a") == 1


def test_a_stale_translation_keeps_its_entry_with_the_new_first_words(project: Path) -> None:
    root = project / "corpus"
    changed = OLD_TEXT.replace("NATO membership for Ukraine", "NATO membership of Ukraine", 1)
    (project / "new.txt").write_text(changed, encoding="utf-8")
    plan = plan_update(DOC_ID, project / "new.txt", root, annotations=project / "annotations")
    assert [(t.paragraph, t.status) for t in plan.translations if t.status != "unchanged"] == [
        ("p23", "stale")
    ]
    apply_update(plan)
    (entry,) = load_references(load_corpus(root)).stale
    assert entry.paragraph == "p23" and entry.source.startswith("NATO membership of Ukraine")
    assert entry.old_source == _old_paragraph(23)
    text = (root / "translations" / f"{DOC_ID}.yaml").read_text("utf-8")
    assert '    begins: "NATO membership of Ukraine"\n' in text


def test_a_section_whose_words_are_gone_stops_the_update_with_its_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = OLD_TEXT.replace("Im erwarteten hohen Tempo", "Im erwartet hohen Tempo", 1)
    (project / "new.txt").write_text(changed, encoding="utf-8")
    before = _files(project)
    assert _update(project, "--apply") == 1
    error = capsys.readouterr().err
    assert f"documents/{DOC_ID}.yaml:" in error
    assert "'introduction': its stated begins does not occur" in error
    assert _files(project) == before


def test_an_update_that_fails_half_way_leaves_nothing_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project / "corpus"
    _student(project)
    plan = plan_update(DOC_ID, project / "new.txt", root, annotations=project / "annotations")
    before = {path: data for path, data in _files(project).items() if not is_lock_file(path)}
    calls: list[Path] = []
    real = AnnotationStore.edit_many

    def failing(store: AnnotationStore, annotations: list[Annotation]) -> None:
        calls.append(store.path)
        if len(calls) == 2:
            raise SaveError("the disk is full")
        real(store, annotations)

    monkeypatch.setattr(AnnotationStore, "edit_many", failing)
    with pytest.raises(UpdateError, match=r"could not be written .*nothing was changed"):
        apply_update(plan)
    assert len(calls) == 2
    after = {path: data for path, data in _files(project).items() if not is_lock_file(path)}
    assert after == before  # the first file appended to is cut back to what it was


def test_what_validate_would_report_after_the_update_needs_review_first(project: Path) -> None:
    """The readout's misspelling "S. Whitkoff" is data: "correcting" it would leave the
    glossary a spelling no text has and the key a span without its words."""
    root = project / "corpus"
    (project / "new.txt").write_text(OLD_TEXT.replace("S. Whitkoff", "S. Witkoff"), "utf-8")
    plan = plan_update(DOC_ID, project / "new.txt", root, annotations=project / "annotations")
    review = "\n".join(plan.review)
    assert "validate would report: " in review
    assert "entities.yaml:48: spelling 'S. Whitkoff' of 'steve-witkoff' never occurs" in review
    assert "“S. Whitkoff” of the answer key quotes text the new version lacks" in review
    before = _files(project)
    with pytest.raises(UpdateError, match="need review before the update is applied"):
        apply_update(plan)
    assert _files(project) == before
    apply_update(plan, force=True)
    assert not validate(root).valid
