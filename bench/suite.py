"""What the test suite costs a reviewer: the README's `make test` (ruff, Node's tests, pytest
with nbval over every notebook and the browser tests), timed once on this machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
_BENCHS_OWN = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ARGS"}
"""make's variables of the `make bench` that runs this: `make bench ARGS="--documents N"` would
hand its ARGS on to `make test`'s pytest."""
_SUMMARY = re.compile(r"=+ (\d+ passed.*?) in [\d.]+s")
_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)
_SHOWN = 6000
"""How much of the end of a failed run's output the bench prints (to stderr)."""


def make_test() -> list[tuple[str, str, str]]:
    """Wall time of one `make test`, with what pytest says passed (or that it failed) and the
    CPU time the machine was busy meanwhile, nearly all of it the suite's (the bench only
    waits): on two cores the wall time is at least half of it, so a slow spell of a shared
    machine shows as the difference."""
    env = {name: value for name, value in os.environ.items() if name not in _BENCHS_OWN}
    before = _machine_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        ["make", "--no-print-directory", "test"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    after = _machine_cpu()
    if done.returncode:
        outcome = failure_of(done.stdout)
        print(done.stdout[-_SHOWN:] + done.stderr[-_SHOWN:], file=sys.stderr)
    else:
        outcome = outcome_of(done.stdout)
    if before is not None and after is not None:
        outcome += f"; the machine busy {after - before:.0f} s of CPU meanwhile"
    return [(f"make test ({outcome})", f"{seconds:.1f} s", "< 60 s on 2 cores")]


def _machine_cpu() -> float | None:
    """Seconds of CPU the whole machine has been busy since it booted (all cores, from Linux's
    /proc/stat), or None where there is no such file."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def outcome_of(output: str) -> str:
    """pytest's closing count (``791 passed, 2 skipped``), without the warnings."""
    found = _SUMMARY.findall(output)
    if not found:
        return "no pytest summary"
    return ", ".join(part for part in found[-1].split(", ") if "warning" not in part)


def failure_of(output: str) -> str:
    """What a failed run says in the table: the tests that failed, or where it stopped."""
    failed = _FAILED.findall(output)
    if not failed:
        return "FAILED before pytest's summary: run make test"
    more = f" and {len(failed) - 2} more" if len(failed) > 2 else ""
    return f"FAILED: {', '.join(failed[:2])}{more}"
