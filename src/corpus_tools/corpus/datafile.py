"""Reading the corpus's human-edited data files: strict UTF-8 text and YAML with line numbers.

Mappings loaded from YAML are :class:`Record` objects, plain dicts that also remember the
line of each key, so that a validator can say *where* a value is wrong.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import CorpusError, DataFileError

__all__ = [
    "MAX_YAML_ALIASED",
    "MAX_YAML_BYTES",
    "Fields",
    "Record",
    "load_yaml",
    "named_file",
    "read_bytes",
    "read_text",
    "require_ordinary_file",
    "resolved",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_YAML_BYTES = 32 * 1024 * 1024
"""A hand-edited data file larger than this is refused rather than parsed."""
MAX_YAML_ALIASED = 10_000
"""YAML aliases (``*name``) in one file may stand for at most this many values in all: a few
nested aliases can stand for billions of them (an "alias bomb")."""


class Record(dict):
    """A YAML mapping that remembers the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the line where the mapping starts."""
        return getattr(self, "key_lines", {}).get(key, self.line)


def named_file(name_or_path: str | Path, folder: Path, suffix: str) -> tuple[Path, bool]:
    """The file a user means: ``folder/<name><suffix>`` for a bare name, else the path as given
    (a ``Path``, anything with a folder in it, or a name ending in ``suffix``); and whether it
    was given as a path. The file may not exist."""
    given = Path(name_or_path)
    by_path = isinstance(name_or_path, Path) or len(given.parts) > 1 or given.suffix == suffix
    return (given if by_path else folder / f"{given}{suffix}"), by_path


def read_bytes(path: Path, *, what: str = "file") -> bytes:
    """The bytes of ``path``.

    Raises:
        DataFileError: the file is missing, a folder, not an ordinary file, or cannot be read;
            the message says what to do.
    """
    require_ordinary_file(path, what=what)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, what, exc) from exc


def require_ordinary_file(path: Path, *, what: str = "file") -> None:
    """Check, without opening it, that ``path`` is an ordinary file: a named pipe would make
    a reader wait forever.

    Raises:
        DataFileError: the file is missing, a folder, a pipe, socket or device, or a loop of
            symbolic links.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise DataFileError(
            f"{what} not found; check the path or create the file", path=path
        ) from None
    except OSError as exc:
        raise _unreadable(path, what, exc) from exc
    if stat.S_ISDIR(mode):
        raise DataFileError(
            f"this is a folder, not a {what}; rename or move it out of the corpus", path=path
        )
    if not stat.S_ISREG(mode):
        raise DataFileError(
            f"this is not an ordinary file (a named pipe, socket or device); put the {what} "
            "itself here",
            path=path,
        )


def _unreadable(path: Path, what: str, exc: OSError) -> DataFileError:
    if exc.errno == errno.ELOOP:
        return DataFileError(
            "a symbolic link that leads back to itself; point it at the real file", path=path
        )
    return DataFileError(
        f"cannot read {what}: {exc.strerror or exc}; check that it is a readable file "
        "(permissions) and that the disk is reachable",
        path=path,
    )


def resolved(path: Path, *, what: str = "file") -> Path:
    """``path`` with its symbolic links followed.

    Raises:
        DataFileError: the links form a loop.
    """
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop
        raise DataFileError(
            f"the {what}'s symbolic links lead back to themselves; point them at the real file",
            path=path,
        ) from None


def read_text(path: Path, *, what: str = "text file") -> str:
    """Read ``path`` as UTF-8 exactly as stored (no newline translation).

    Raises:
        DataFileError: the file is missing, a folder, empty or not valid UTF-8.
    """
    data = read_bytes(path, what=what)
    if not data.strip():
        raise DataFileError(f"{what} is empty; expected content", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise DataFileError(
            f"byte 0x{bad} at column {column} (byte offset {exc.start}) is not UTF-8; "
            f"save the {what} as UTF-8",
            path=path,
            line=line,
        ) from exc


def load_yaml(path: Path, *, what: str = "YAML file") -> Any:
    """Parse a YAML file into plain data whose mappings are :class:`Record` objects.

    Raises:
        DataFileError: unreadable, empty, not UTF-8, invalid YAML, or a key given twice.
    """
    text = read_text(path, what=what)
    if len(text) > MAX_YAML_BYTES:
        raise DataFileError(
            f"{len(text):,} characters is more than a {what} may hold "
            f"({MAX_YAML_BYTES:,}); split it into several files",
            path=path,
        )
    try:
        return yaml.load(text, Loader=_RecordLoader)
    except _TooManyAliases as exc:
        raise DataFileError(
            f"aliases (*name) of the value here and others stand for more than "
            f"{MAX_YAML_ALIASED:,} values; write the values out instead of referring to them",
            path=path,
            line=exc.line,
        ) from None
    except _DuplicateKey as exc:
        raise DataFileError(
            f"key {exc.key!r} is given twice (first on line {exc.first_line}); keep one",
            path=path,
            line=exc.line,
        ) from None
    except _BadValue as exc:
        raise DataFileError(
            f"{exc.reason}; write the value as it is meant (a date as YYYY-MM-DD)",
            path=path,
            line=exc.line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise DataFileError(
            f"invalid YAML: {problem}; check indentation, colons and quotes", path=path, line=line
        ) from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"invalid YAML: {exc}", path=path) from exc


class _BadValue(Exception):
    """A scalar YAML reads as a value that cannot exist (a date such as 2025-02-30)."""

    def __init__(self, reason: str, line: int):
        super().__init__(reason)
        self.reason, self.line = reason, line


class _TooManyAliases(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first_line: int):
        super().__init__(key)
        self.key, self.line, self.first_line = key, line, first_line


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _RecordLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose mappings are Records, which rejects duplicate keys and limits the
    use of aliases."""

    aliased = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:  # a node met again is an alias
            self.aliased += _values(node, {})
            if self.aliased > MAX_YAML_ALIASED:
                raise _TooManyAliases(node.start_mark.line + 1)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Record:
        record = Record()
        record.line = node.start_mark.line + 1
        record.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in record.key_lines:
                raise _DuplicateKey(str(key), line, record.key_lines[key])
            record.key_lines[key] = line
            record[key] = self.construct_object(value_node, deep=True)
        return record


def _values(node: yaml.Node, counted: dict[int, int]) -> int:
    """How many values ``node`` stands for with every alias inside it written out."""
    if id(node) not in counted:
        if isinstance(node, yaml.SequenceNode):
            counted[id(node)] = 1 + sum(_values(child, counted) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            pairs = node.value
            counted[id(node)] = 1 + sum(_values(k, counted) + _values(v, counted) for k, v in pairs)
        else:
            counted[id(node)] = 1
    return counted[id(node)]


_RecordLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _RecordLoader.construct_mapping
)


def _timestamp(loader: _RecordLoader, node: yaml.ScalarNode) -> Any:
    try:
        return _BaseLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        line = node.start_mark.line + 1
        raise _BadValue(f"{node.value!r} is not a real date ({exc})", line) from exc


_RecordLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class Fields:
    """Typed access to one YAML mapping, failing with the file and line of the key.

    Args:
        record: the mapping as loaded by :func:`load_yaml`.
        path: the file it came from.
        what: what the mapping is ("section", "term" ...), for messages.
        error: the exception to raise, a :class:`~corpus_tools.errors.CorpusError`.
    """

    def __init__(self, record: Any, path: Path, what: str, error: type[CorpusError]):
        if not isinstance(record, Record):
            raise error(f"expected a mapping for the {what}", path=path)
        self.record, self.path, self.what, self.error = record, path, what, error

    def fail(self, key: str, message: str, *, error: type[CorpusError] | None = None) -> None:
        raise (error or self.error)(message, path=self.path, line=self.record.line_of(key))

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.record:
            if key not in allowed:
                self.fail(
                    str(key),
                    f"unknown {self.what} field {key!r}; "
                    f"expected one of {', '.join(sorted(allowed))}",
                )

    def _get(self, key: str, kind: type, default: Any = ...) -> Any:
        if key not in self.record or self.record[key] is None:
            if default is not ...:
                return default
            self.fail(key, f"the {self.what} needs a {key!r} field")
        value = self.record[key]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            self.fail(
                key,
                f"{self.what} field {key!r} should be {_TYPE_NAMES[kind]}, not {value!r}",
            )
        return value

    def document(self, corpus: Any, key: str = "document") -> Any:
        """The document of ``corpus`` named by ``key``."""
        return corpus[self.choice(key, corpus)]

    def optional(self, key: str, kind: type) -> Any:
        return self._get(key, kind, None)

    def string(self, key: str) -> str:
        value = self._get(key, str)
        if not value.strip():
            self.fail(key, f"{self.what} field {key!r} is empty; give a value or 'unknown'")
        return value

    def integer(self, key: str) -> int:
        return self._get(key, int)

    def list(self, key: str, default: Any = ...) -> list[Any]:
        return self._get(key, list, default)

    def identifier(self, key: str) -> str:
        value = self.string(key)
        if not _ID.match(value):
            self.fail(key, f"id {value!r} should use only a-z, 0-9, '-' and '_'")
        return value

    def choice(self, key: str, options: dict[str, str] | Any, default: Any = ...) -> str:
        value = self._get(key, str, default)
        if value not in options:
            listed = ", ".join(sorted(options))
            self.fail(key, f"unknown {key} {value!r}; expected one of: {listed}")
        return value

    def date(self, key: str) -> str | None:
        value = self.record.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self.fail(key, f"{key} {value!r} is not a date; write it as YYYY-MM-DD")
        return None


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    Record: "a mapping",
}
