"""Every test and every kernel a test starts runs in the run's own folders: annotations, the
translation cache, IPython's and Jupyter's folders, the caches and the temporary folder, and
without a DeepL key. A test never reads, changes or deletes a user's own files, and never
bills a user's account.

The project's ``conftest.py`` loads these hooks, so they hold for any selection of tests,
``pytest --nbval notebooks/07_annotation_workshop.ipynb`` alone too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from corpus_tools.staging import process_alive

_PRIVATE = {
    "CORPUS_TOOLS_ANNOTATIONS": "annotations",
    "CORPUS_TOOLS_TRANSLATION_CACHE": "translations.sqlite3",
    # the kernels' command history and Jupyter's data (nbgrader's exchange cache, connection
    # files)
    "IPYTHONDIR": "ipython",
    "JUPYTER_DATA_DIR": "jupyter-data",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
}
# Caches of derived data, whose files are written whole or rebuilt when found damaged: the layer
# cache, matplotlib's font list and the libraries' caches (simplemma's decoded dictionaries). The
# first process of a run (pytest-xdist's controller) makes them in its temporary folder, which it
# names in _RUN; its workers and their kernels share them, so that a run segments the corpus,
# lists the fonts and decodes each dictionary once (or not at all: it copies the dictionaries
# `make` decoded for the environment). A test that changes a document's text gives it a layer
# cache of its own (tests/test_update.py): the layer cache keeps one version of each document.
SHARED = {
    "CORPUS_TOOLS_CACHE": "layer-cache",
    "MPLCONFIGDIR": "matplotlib",
    "XDG_CACHE_HOME": "cache",
}
_RUN = "CORPUS_TOOLS_TESTS_RUN"
_FOREIGN = ("DEEPL_AUTH_KEY", "DEEPL_SERVER_URL", "CORPUS_TOOLS_ROOT")
_SCRATCH = pytest.StashKey[Path]()

# The run's folder, with every temporary file of the run (TMPDIR: pytest's tmp_path, the
# kernels', Jupyter's and Chromium's), lies in memory where the machine has room there: a run
# syncs some 5,000 files to the disk (annotation files, nbgrader's gradebook, the kernels'
# command history), and on a shared disk in a slow spell each sync can take tens of milliseconds.
# A run needs under 100 MB there; files in memory count against the memory of the processes.
_IN_MEMORY = Path("/dev/shm")
_PREFIX = "corpus-tools-tests-"
_OWNER = "owner.pid"
_ROOM = 1 << 30
_MEMORY_LEFT = 2 << 30


def run_folder() -> Path:
    """The folder the run's processes share."""
    return Path(os.environ[_RUN])


def pytest_configure(config: pytest.Config) -> None:
    """Point the package's user folders, IPython's, Jupyter's, matplotlib's and the libraries'
    caches, and the temporary folder, at the run's folder for this process and the kernels it
    starts; take away a user's DeepL key."""
    if _RUN in os.environ:  # a worker of pytest-xdist: its folder lies in the run's
        scratch = Path(tempfile.mkdtemp(prefix=_PREFIX))
    else:
        remove_runs_of_dead_processes(_IN_MEMORY)
        scratch = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=_memory_with_room()))
        (scratch / _OWNER).write_text(str(os.getpid()))
        _seed_caches(scratch)
    config.stash[_SCRATCH] = scratch
    run = Path(os.environ.setdefault(_RUN, str(scratch)))
    (run / "tmp").mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(run / "tmp")  # removed with the run: a kernel killed at the end
    tempfile.tempdir = None  # leaves its temporary folders there, not in the system's
    for name, leaf in _PRIVATE.items():
        os.environ[name] = str(scratch / leaf)
    for name, leaf in SHARED.items():
        os.environ[name] = str(run / leaf)
    for name in _FOREIGN:
        os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(_SCRATCH, None) or "/nonexistent", ignore_errors=True)


def _seed_caches(run: Path) -> None:
    """Start the run's cache folder with simplemma's decoded dictionaries where `make` made them
    for the environment (its ``simplemma-tries``): a run need not decode them again."""
    made = Path(sys.prefix) / "simplemma-tries"
    with contextlib.suppress(OSError):  # without them, the run decodes the dictionaries itself
        shutil.copytree(made, run / SHARED["XDG_CACHE_HOME"] / "simplemma")


def _memory_with_room() -> Path | None:
    """The memory-backed folder if it and the memory have room for a run, else None (the
    system's temporary folder)."""
    try:
        if not os.access(_IN_MEMORY, os.W_OK) or shutil.disk_usage(_IN_MEMORY).free < _ROOM:
            return None
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in meminfo.splitlines() if ":" in line)
    available_kb = int(fields.get("MemAvailable", "0 kB").split()[0])
    return _IN_MEMORY if available_kb * 1024 >= _MEMORY_LEFT else None


def remove_runs_of_dead_processes(parent: Path) -> None:
    """Remove this user's run folders in ``parent`` whose pytest is gone (a run killed with
    SIGTERM or SIGKILL has no time to remove its own)."""
    with contextlib.suppress(OSError):
        for folder in parent.glob(f"{_PREFIX}*"):
            owner = _owner(folder)
            if owner is not None and not process_alive(owner):
                shutil.rmtree(folder, ignore_errors=True)


def _owner(folder: Path) -> int | None:
    """The pid of the pytest that made ``folder``, if it was this user's and names one."""
    try:
        if folder.stat().st_uid == os.getuid():
            return int((folder / _OWNER).read_text())
    except (OSError, ValueError):
        pass
    return None
