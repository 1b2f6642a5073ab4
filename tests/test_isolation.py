"""A test run's own folders, and what it does with the folders of a run that was killed."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from corpus_tools.corpus.lemmas import trie_folder

from .conftest import dead_pid
from .isolation import SHARED, remove_runs_of_dead_processes, run_folder


def test_this_run_keeps_its_files_in_its_own_folders_and_has_no_deepl_key() -> None:
    run = run_folder()
    assert Path(tempfile.gettempdir()).is_relative_to(run)
    assert Path(os.environ["TMPDIR"]).is_relative_to(run)
    for name in ["CORPUS_TOOLS_ANNOTATIONS", "CORPUS_TOOLS_TRANSLATION_CACHE", "IPYTHONDIR",
                 "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", *SHARED]:  # fmt: skip
        assert Path(os.environ[name]).is_relative_to(run), name
    assert not {"DEEPL_AUTH_KEY", "DEEPL_SERVER_URL", "CORPUS_TOOLS_ROOT"} & set(os.environ)


def test_the_run_starts_from_the_dictionaries_make_decoded_for_the_environment() -> None:
    made = Path(sys.prefix) / "simplemma-tries"
    if not made.is_dir():
        pytest.skip("no decoded dictionaries in this environment: `make test` makes them")
    used = trie_folder()  # this simplemma's folder in the run's cache
    assert used.is_relative_to(run_folder())
    copied = made / used.relative_to(run_folder() / SHARED["XDG_CACHE_HOME"] / "simplemma")
    for language in ("de", "en"):
        assert (used / f"{language}.dic").read_bytes() == (copied / f"{language}.dic").read_bytes()


def test_the_folder_of_a_killed_run_is_removed_and_a_running_ones_kept(tmp_path: Path) -> None:
    owners = {"corpus-tools-tests-killed": dead_pid(), "corpus-tools-tests-running": os.getpid()}
    for name, pid in owners.items():
        (tmp_path / name / "tmp").mkdir(parents=True)
        (tmp_path / name / "owner.pid").write_text(str(pid))
    (tmp_path / "corpus-tools-tests-unowned").mkdir()  # no owner named: not ours to judge
    (tmp_path / "someone-elses").mkdir()
    (tmp_path / "someone-elses" / "owner.pid").write_text(str(dead_pid()))
    remove_runs_of_dead_processes(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "corpus-tools-tests-running", "corpus-tools-tests-unowned", "someone-elses"
    ]  # fmt: skip
