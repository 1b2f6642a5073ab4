"""Editing an instructor's YAML file line by line, so that every comment, blank line and
layout choice stays as it is: a value replaced on its own line, lines inserted before another.

The lines are a list of strings with their line ends (``str.splitlines(keepends=True)``);
line numbers are 1-based, as :class:`~corpus_tools.corpus.datafile.Record` gives them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import UpdateError

__all__ = ["Edits", "quoted"]


def quoted(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(value, ensure_ascii=False)


class Edits:
    """Replacements and insertions for one file, applied together (line numbers refer to the
    file as it was read)."""

    def __init__(self, text: str, path: Path):
        self.lines = text.splitlines(keepends=True)
        self.path = path
        self.ending = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
        self._replaced: dict[int, str] = {}
        self._inserted: dict[int, list[str]] = {}
        self._removed: set[int] = set()

    def replace_value(self, line: int, key: str, value: str) -> None:
        """Give ``key`` on ``line`` the (already YAML-formatted) ``value``, keeping its indent
        and a trailing comment."""
        current = self._replaced.get(line, self.lines[line - 1])
        pattern = rf"^(\s*(?:-\s+)?{re.escape(key)}\s*:\s*)(?:\"[^\"]*\"|'[^']*'|[^#\s]+)(.*)$"
        match = re.match(pattern, current.rstrip("\r\n"))
        if match is None:
            raise UpdateError(
                f"{key!r} is not written on a line of its own (flow style?); write the mapping "
                "one field per line to have it updated",
                path=self.path,
                line=line,
            )
        self._replaced[line] = f"{match.group(1)}{value}{match.group(2)}{self.ending}"

    def insert(self, before: int, lines: list[str]) -> None:
        """Insert ``lines`` (without line ends) before line ``before`` (one past the last line:
        at the end)."""
        self._inserted.setdefault(before, []).extend(line + self.ending for line in lines)

    def remove(self, first: int, last: int) -> None:
        """Remove lines ``first`` to ``last``, both included."""
        self._removed.update(range(first, last + 1))

    def indent_of(self, line: int) -> str:
        """The indent of the mapping item that starts on ``line`` (``  - id: x`` → ``"  "``)."""
        match = re.match(r"^(\s*)", self.lines[line - 1])
        return match.group(1) if match else ""

    @property
    def end(self) -> int:
        """The line number one past the last line."""
        return len(self.lines) + 1

    def text(self) -> str:
        out: list[str] = []
        if self.lines and not self.lines[-1].endswith("\n") and self._inserted.get(self.end):
            self.lines[-1] += self.ending
        for number, line in enumerate(self.lines, start=1):
            out += self._inserted.get(number, [])
            if number not in self._removed:
                out.append(self._replaced.get(number, line))
        out += self._inserted.get(self.end, [])
        return "".join(out)
