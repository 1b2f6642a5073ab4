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


def median_seconds(run: Callable[[], object], repeat: int = 5) -> float:
    """Wall time of ``run()``, median of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_process_seconds(code: str, runs: int = 5) -> float:
    """Wall time of a new interpreter running ``code``, median of ``runs``."""
    return median_seconds(lambda: subprocess.run([sys.executable, "-c", code], check=True), runs)


def seconds_in_fresh_process(setup: str, statement: str, runs: int = 5) -> float:
    """The time ``statement`` takes in a new interpreter after ``setup`` (imports, say), median
    of ``runs`` processes: what a new notebook kernel sees, without this process's objects."""
    probe = (
        f"{setup}\nimport time\nstart = time.perf_counter()\n{statement}\n"
        "print(time.perf_counter() - start)"
    )
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        )
        times.append(float(done.stdout.split()[-1]))
    return statistics.median(times)


def peak_megabytes(code: str) -> float:
    """The peak resident memory of a new interpreter running ``code``, in MB (the kernel's
    high-water mark of its own memory: ``ru_maxrss`` would keep the forking parent's)."""
    probe = f"{code}\nprint(open('/proc/self/status').read())"
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}×" if peer else "n/a"
