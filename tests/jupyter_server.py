"""A Jupyter server for a test: started as a user starts it (``make lab``), headless, on a free
loopback port without a token, with Jupyter's and the user's settings folders in a temporary
folder; stopped with its whole process group."""

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

JUPYTER = PROJECT / ".venv" / "bin" / "jupyter"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def home_folders_env(home: Path) -> dict[str, str]:
    """This process's environment with HOME and every Jupyter, IPython and XDG folder under
    ``home``: no setting of the user's is read, and none is written (`make_lab` then gives the
    server the test run's XDG cache back)."""
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


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@contextmanager
def running(
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


def wait_for(url: str, log: Path, seconds: float = 90) -> tuple[int, str]:
    """The first answer of ``url``, polled until the server is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return get(url)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"JupyterLab did not answer {url} in {seconds} s:\n{log.read_text()[-2000:]}")


@contextmanager
def make_lab(student: Path, home: Path, options: list[str]) -> Iterator[str]:
    """``make lab`` with ``options`` passed on to JupyterLab (its ``ARGS``) and the student's
    copy built in ``student``; the server's URL once it answers."""
    if not JUPYTER.exists():
        pytest.skip("no .venv yet: run `make test` (it creates .venv) to test `make lab`")
    port = free_port()
    args = [f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --ServerApp.token=",
            "--ServerApp.password=", *options]  # fmt: skip
    command = ["make", "--no-print-directory", "lab", f"ARGS={' '.join(args)}",
               f"STUDENT={student}"]  # fmt: skip
    env = home_folders_env(home)
    env.pop("CORPUS_TOOLS_ANNOTATIONS", None)  # the student's copy keeps its own annotations
    env["XDG_CACHE_HOME"] = os.environ["XDG_CACHE_HOME"]  # the test run's (see conftest.py)
    log = home / "lab.log"
    with running(command, env=env, log=log, cwd=PROJECT):
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/api/status", log)
        yield url
