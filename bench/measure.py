"""What every benchmark needs: a row of the table, medians of repeated runs, fresh processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import NamedTuple


class Row(NamedTuple):
    """One line of the table: ours, the peer measured beside it in the same run, and how the
    two compare (``ours / peer``: below 1 is faster or smaller)."""

    name: str
    measured: str
    goal: str
    peer: str = ""
    ratio: str = ""


def timed(run: Callable[[], object]) -> float:
    """Wall time of one ``run()``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def median_seconds(run: Callable[[], object], repeat: int = 5) -> float:
    """Wall time of ``run()``, median of ``repeat`` runs."""
    return statistics.median(timed(run) for _ in range(repeat))


def in_turn(*timings: Callable[[], float], repeat: int = 5) -> list[float]:
    """The median of each of ``timings`` (ours and its peers, each giving the seconds of one
    run), run in turn ``repeat`` times: a slow spell of a shared machine falls on all of them
    alike, instead of on whichever was measured during it."""
    runs = [[timing() for timing in timings] for _ in range(repeat)]
    return [statistics.median(column) for column in zip(*runs, strict=True)]


def process_seconds(code: str) -> float:
    """Wall time of a new interpreter running ``code``."""
    return timed(lambda: subprocess.run([sys.executable, "-c", code], check=True))


def fresh_process_seconds(code: str, runs: int = 5) -> float:
    """Wall time of a new interpreter running ``code``, median of ``runs``."""
    return statistics.median(process_seconds(code) for _ in range(runs))


def statement_seconds(setup: str, statement: str) -> float:
    """The time ``statement`` takes in a new interpreter after ``setup`` (imports, say): what a
    new notebook kernel sees, without this process's objects."""
    probe = (
        f"{setup}\nimport time\nstart = time.perf_counter()\n{statement}\n"
        "print(time.perf_counter() - start)"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def peak_megabytes(code: str) -> float:
    """The peak resident memory of a new interpreter running ``code``, in MB (the kernel's
    high-water mark of its own memory: ``ru_maxrss`` would keep the forking parent's)."""
    probe = f"{code}\nprint(open('/proc/self/status').read())"
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}×" if peer else "n/a"
