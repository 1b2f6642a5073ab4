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


def peak_megabytes(code: str) -> float:
    """The peak resident memory of a new interpreter running ``code``, in MB."""
    probe = f"{code}\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}×" if peer else "n/a"
