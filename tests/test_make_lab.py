"""`make lab` builds the student's copy and serves its first notebook, without nbgrader's authoring
tools (started headless on a free port, with the copy in a temporary folder)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import PROJECT

NOTEBOOK = "notebooks/00_start_here.ipynb"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _isolated_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name, sub in [
        ("HOME", "home"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "xdg-config"),
    ]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    return env


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab as `make lab` starts it, on a student copy in ``tmp_path/student``."""
    if not (PROJECT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("no .venv yet: run `make test` (it creates .venv) to test `make lab`")
    port = _free_port()
    args = (
        f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --ServerApp.token= "
        "--ServerApp.password="
    )
    command = ["make", "--no-print-directory", "lab", f"ARGS={args}",
               f"STUDENT={tmp_path / 'student'}"]  # fmt: skip
    with _running(command, env=_isolated_env(tmp_path), log=tmp_path / "lab.log", cwd=PROJECT):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def _running(
    command: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None
) -> Iterator[subprocess.Popen]:
    """``command`` in a process group of its own, its output in ``log``; the whole group is
    stopped on leaving, by SIGTERM and, after 20 s, SIGKILL."""
    with log.open("w") as stream:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=stream, stderr=stream, start_new_session=True
        )
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for(url: str, log: Path, seconds: float = 90) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return _get(url)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer {url} in {seconds} s:\n{log.read_text()[-2000:]}")


@pytest.mark.slow
def test_make_lab_serves_the_start_notebook(lab: str, tmp_path: Path) -> None:
    status, body = _wait_for(f"{lab}/api/contents/{NOTEBOOK}?content=0", tmp_path / "lab.log")
    assert status == 200 and '"type": "notebook"' in body
    status, page = _get(f"{lab}/lab/tree/{NOTEBOOK}")
    assert status == 200 and "JupyterLab" in page
    with urllib.request.urlopen(f"{lab}/", timeout=5) as landing:  # follows the redirect
        assert landing.geturl() == f"{lab}/lab/tree/{NOTEBOOK}"
    _, exercise = _get(f"{lab}/api/contents/notebooks/02_state_department_statement.ipynb")
    assert "# YOUR ANSWER HERE" in exercise and "BEGIN SOLUTION" not in exercise
    assert '\\"p7\\", \\"p8\\"' not in exercise  # the model answer of exercise 1
    for tool in ("formgrader",):  # nbgrader's authoring side is off
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(f"{lab}/{tool}")
        assert refused.value.code == 404
    assert (tmp_path / "student" / "corpus" / "exercises").is_dir()
    assert not (tmp_path / "student" / "corpus" / "keys").exists()
