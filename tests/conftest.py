"""Shared fixtures: the real corpus (loaded once, cached in a temporary folder) and copies of it
that a test may break.

Every test and every kernel it starts runs in folders of the test run's, without a DeepL key
(tests/isolation.py, which the project's conftest.py loads for any selection of tests).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import shutil
import sys
import warnings
from pathlib import Path

import hypothesis
import pytest
import yaml

from corpus_tools import Corpus, Document, load_corpus
from corpus_tools.annotate import Annotation, TagSet, load_tagsets, make_annotation
from corpus_tools.corpus.references import ReferenceTranslations, load_references
from corpus_tools.glossary import Glossary, load_glossary

from .isolation import SHARED, run_folder

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT / "corpus"
SEED = PROJECT.parent / "shared" / "seeds" / "000_406d1e14dd3015b4.txt"
DOC_ID = "riyadh-2025-02-18"


# Property tests draw the same examples on every run and keep no example database in the
# project folder; a slow shared machine never fails them on time.
hypothesis.settings.register_profile(
    "corpus-tools", derandomize=True, database=None, deadline=None, max_examples=60
)
hypothesis.settings.load_profile("corpus-tools")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first, then the notebooks, then the rest: the worker that takes the browser
    file starts on it at once, and the many quick files even out the workers at the end
    (`make test` keeps this order for ``--dist loadfile``)."""
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None,
                                 not item.nodeid.startswith("notebooks/")))  # fmt: skip


def dead_pid() -> int:
    """A process id no process has: above the kernel's maximum."""
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    except OSError:
        return 2**31 - 1


def isolated_env(home: Path) -> dict[str, str]:
    """The environment for a command a test runs (nbgrader, corpus-tools): no Jupyter or
    nbgrader settings of the user's, ``home`` as HOME, the venv's commands first on PATH (as
    the README's ``source .venv/bin/activate`` puts them) and this project's package first on
    the import path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
    env["HOME"] = str(home)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT / "src"), env.get("PYTHONPATH")]))
    return env


def run_nbgrader(argv: list[str], cwd: Path, home: Path) -> str:
    """``nbgrader ARGV`` typed in ``cwd``, run in this process: the app nbgrader's command
    starts, with its argument parsing and its config files (``cwd/nbgrader_config.py``), in the
    environment of :func:`isolated_env`; its log. Fails the test unless it exits with 0."""
    from jupyter_core.application import NoStart
    from nbgrader.apps import NbGraderApp

    log, status = io.StringIO(), None
    with pytest.MonkeyPatch.context() as patch, contextlib.chdir(cwd), warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="nbgrader")  # about nbgrader's code, not ours
        _replace_environ(patch, isolated_env(home))
        patch.setattr(sys, "path", list(sys.path))  # the app puts its folder first
        alembic_in_process(patch)
        app = NbGraderApp.instance()
        try:
            app.initialize(argv)
            app.init_logging(logging.StreamHandler, [log], color=False, subapps=True)
            app.start()
        except NoStart:  # how a subcommand that ran says it is done
            pass
        except SystemExit as exit_:
            status = exit_.code
        finally:
            app.reset()
    assert not status, f"nbgrader {' '.join(argv)} exited {status}: {log.getvalue()[-3000:]}"
    return log.getvalue()


def alembic_in_process(patch: pytest.MonkeyPatch) -> None:
    """Have nbgrader learn its gradebook's schema revision from alembic in this process: a new
    gradebook asks the ``alembic heads`` command, a Python start-up of seconds, for it."""
    patch.setattr("nbgrader.api.get_alembic_version", _alembic_head)


@functools.cache
def _alembic_head() -> str:
    """The newest revision of nbgrader's migrations, as ``alembic heads`` prints it first."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


def _replace_environ(patch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in set(os.environ) - set(env):
        patch.delenv(name)
    for name, value in env.items():
        patch.setenv(name, value)


@pytest.fixture(scope="session")
def layer_cache() -> Path:
    """The layer cache of ``corpus`` (and of ``glossary``'s analysed forms): the run's, which
    the notebooks' kernels use too."""
    folder = run_folder() / SHARED["CORPUS_TOOLS_CACHE"]
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def corpus(layer_cache: Path) -> Corpus:
    return load_corpus(CORPUS, cache_dir=layer_cache)


@pytest.fixture(scope="session")
def doc(corpus: Corpus) -> Document:
    return corpus[DOC_ID]


@pytest.fixture(scope="session")
def glossary(corpus: Corpus) -> Glossary:
    return load_glossary(corpus)


@pytest.fixture(scope="session")
def references(corpus: Corpus) -> ReferenceTranslations:
    return load_references(corpus)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the corpus's documents and sources (no cache)."""
    root = tmp_path / "corpus"
    for folder in ("documents", "sources"):
        shutil.copytree(CORPUS / folder, root / folder)
    return root


class _BlankFigure:
    """Stands in for the score report's disagreement figure: the file it saves is only a PNG
    signature."""

    def savefig(self, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"\x89PNG\r\n\x1a\n")


@pytest.fixture
def no_disagreement_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a test of the score report that does not look at its disagreement figure: a stand-in
    is saved in its place, since drawing a class's figure takes half a second (the figure has
    tests of its own, and the end-to-end ones draw it)."""
    import corpus_tools.grading

    monkeypatch.setattr(corpus_tools.grading, "_disagreement_figure", lambda _: _BlankFigure())


@pytest.fixture(scope="session")
def tagsets() -> dict[str, TagSet]:
    return load_tagsets(CORPUS / "tagsets")


def tag_phrase(
    doc: Document, tagsets: dict[str, TagSet], phrase: str, tag: str, **options: object
) -> Annotation:
    """An annotation by "ada" of the first occurrence of ``phrase``, with the tag set that has
    ``tag``."""
    start = doc.text.index(phrase)
    tagset = next(t for t in tagsets.values() if tag in {label.name for label in t.labels})
    return make_annotation(
        doc.text, doc.id, start, start + len(phrase), tag, tagset, creator="ada", **options
    )


# A small answer key over both readouts, for the grading and agreement tests.
KEY_PHRASES = [
    ("Secretary of State Marco Rubio", "actor"),
    ("We agreed to", "commitment"),
    ("as soon as possible", "hedge"),
    ("which will emerge from a successful end to the conflict in Ukraine", "condition"),
    ("an important step forward", "evaluation"),
    ("Beide Seiten kamen überein", "commitment"),
    ("so bald wie möglich", "hedge"),
    ("hervorragende Organisation", "evaluation"),
]


@pytest.fixture(scope="session")
def discourse(tagsets: dict[str, TagSet]) -> TagSet:
    return tagsets["diplomatic-discourse"]


@pytest.fixture(scope="session")
def key(doc: Document, discourse: TagSet) -> list[Annotation]:
    return [key_phrase(doc, discourse, phrase, tag, "key") for phrase, tag in KEY_PHRASES]


def key_phrase(doc: Document, tagset: TagSet, phrase: str, tag: str, who: str) -> Annotation:
    start = doc.text.index(phrase)
    return key_span(doc, tagset, start, start + len(phrase), tag, who)


def key_span(doc: Document, tagset: TagSet, start: int, end: int, tag: str, who: str) -> Annotation:
    return make_annotation(doc.text, doc.id, start, end, tag, tagset, creator=who)


def write_corpus(root: Path, texts: dict[str, str]) -> Path:
    """A corpus of German documents, one per ``{id: text}``, a section per paragraph."""
    (root / "sources").mkdir(parents=True)
    (root / "documents").mkdir()
    for doc_id, text in texts.items():
        (root / "sources" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        sections, offset = [], 0
        for number, paragraph in enumerate(text.split("\n\n"), start=1):
            end = offset + len(paragraph)
            sections.append({"id": f"part-{number}", "kind": "commentary", "start": offset,
                             "end": end, "text": paragraph, "language": "de"})  # fmt: skip
            offset = end + 2
        manifest = {
            "id": doc_id, "title": doc_id, "source": f"{doc_id}.txt",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "language": "de",
            "origin": {"author": "unknown"}, "sections": sections,
        }  # fmt: skip
        (root / "documents" / f"{doc_id}.yaml").write_text(
            yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root
