"""What the test suite costs a reviewer: the README's `make test` (ruff, Node's tests, pytest
with nbval over every notebook and the browser tests), timed once on this machine."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
_BENCHS_OWN = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ARGS"}
"""make's variables of the `make bench` that runs this: `make bench ARGS="--documents N"` would
hand its ARGS on to `make test`'s pytest."""
_SUMMARY = re.compile(r"=+ (\d+ passed.*?) in [\d.]+s")


def make_test() -> list[tuple[str, str, str]]:
    """Wall time of one `make test`, with what pytest says passed (or that it failed)."""
    env = {name: value for name, value in os.environ.items() if name not in _BENCHS_OWN}
    start = time.perf_counter()
    done = subprocess.run(
        ["make", "--no-print-directory", "test"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    outcome = outcome_of(done.stdout) if done.returncode == 0 else "FAILED: run make test"
    return [(f"make test ({outcome})", f"{seconds:.1f} s", "< 60 s on 2 cores")]


def outcome_of(output: str) -> str:
    """pytest's closing count (``791 passed, 2 skipped``), without the warnings."""
    found = _SUMMARY.findall(output)
    if not found:
        return "no pytest summary"
    return ", ".join(part for part in found[-1].split(", ") if "warning" not in part)
