"""A persistent cache in front of DeepL: SQLite in the user's cache folder.

A translation is stored under a key made of everything that changes its result: the text,
both languages, the glossary's content, formality and model.  Running a notebook twice bills
nothing the second time.  The DeepL key is never part of a key or a row.

The cache never stops a translation.  A damaged file (not a database, cut short, a table of
other columns) is set aside beside itself as ``<name>.corrupt-<n>`` and a new one begun; a file
that cannot be written is still read; one that cannot be opened (a folder, say) is done
without.  Each is said once, as a warning naming the file.  Only sound rows are stored and read:
an empty translation is neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from ..errors import CacheError

__all__ = ["CachedTranslation", "TranslationCache", "cache_key", "default_cache_path"]

T = TypeVar("T")

_SCHEMA = """
create table if not exists translations (
    key text primary key,
    source text not null,
    translation text not null,
    source_lang text not null,
    target_lang text not null,
    glossary text,
    billed_characters integer not null,
    date text not null
)
"""


@dataclass(frozen=True, slots=True)
class CachedTranslation:
    """A stored DeepL result (``billed_characters``: None, or 0 once stored, when DeepL did not
    say)."""

    key: str
    source: str
    translation: str
    source_lang: str
    target_lang: str
    glossary: str | None
    billed_characters: int | None
    date: str

    def is_sound(self) -> bool:
        """Every field of its type, and a translation with text in it."""
        texts = (self.key, self.source, self.translation, self.source_lang, self.target_lang,
                 self.date)  # fmt: skip
        return (
            all(isinstance(text, str) for text in texts)
            and bool(self.translation.strip())
            and isinstance(self.glossary, str | None)
            and isinstance(self.billed_characters, int | None)
        )


def cache_key(
    text: str,
    source_lang: str | None,
    target_lang: str,
    *,
    glossary: str | None,
    formality: str | None,
    model: str | None,
) -> str:
    """The key of one translation request (``glossary`` is the glossary's content hash)."""
    parts = [text, source_lang, target_lang, glossary, formality, model]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def default_cache_path() -> Path:
    """``$CORPUS_TOOLS_TRANSLATION_CACHE``, else ``translations.sqlite3`` in the user's cache."""
    if env := os.environ.get("CORPUS_TOOLS_TRANSLATION_CACHE"):
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("corpus-tools")) / "translations.sqlite3"


class TranslationCache:
    """Stored DeepL translations, safe to share between kernels (SQLite does the locking).

    No method raises for the file's sake: see the module's description.  ``readable`` and
    ``writable`` say what is still done with the file this session.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.readable = self.writable = True
        self._said: set[str] = set()
        self._run(_check_table, None)

    def __repr__(self) -> str:
        return f"<TranslationCache {self.path.name}: {len(self)} translations>"

    def __len__(self) -> int:
        return self._run(_count, 0)

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """The stored, sound translations among ``keys``."""
        return self._run(lambda db: _select(db, keys), {}) if keys else {}

    def put_many(self, items: Iterable[CachedTranslation]) -> None:
        """Store the sound ones of ``items`` (an unknown cost as 0)."""
        rows = [_row(item) for item in items if item.is_sound()]
        if rows:
            self._run(lambda db: _insert(db, rows), None, writing=True)

    # --- the file -----------------------------------------------------------------------------
    def _run(
        self, work: Callable[[sqlite3.Connection], T], default: T, *, writing: bool = False
    ) -> T:
        """``work`` on the file, or ``default`` if the file is damaged (it is set aside, and
        ``work`` done once more on a new one) or cannot be used."""
        for attempt in range(2):
            if not (self.writable if writing else self.readable):
                return default
            try:
                with self._connect() as db:
                    return work(db)
            except (sqlite3.DatabaseError, _WrongTable) as exc:
                if attempt or not _damaged(exc) or not self._set_aside(exc):
                    self._cannot(exc, writing=writing)
            except OSError as exc:
                self._cannot(exc, writing=writing)
        return default

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            _check_table(db)
            yield db

    def _set_aside(self, exc: Exception) -> bool:
        """Move the damaged file (and its journals) beside itself; False if it cannot be."""
        aside = _free_name(self.path)
        try:
            for suffix in ("", "-journal", "-wal", "-shm"):
                damaged = Path(f"{self.path}{suffix}")
                if damaged.exists():
                    os.replace(damaged, f"{aside}{suffix}")
        except OSError:
            return False
        self._warn(f"the translation cache is damaged ({_reason(exc)}); it is set aside as "
                   f"{aside.name} and a new one is begun", topic=f"aside:{aside.name}")  # fmt: skip
        return True

    def _cannot(self, exc: Exception, *, writing: bool) -> None:
        """Stop using the file for writing or, if it cannot be read, for anything."""
        self.writable = False
        if writing and self.readable and self.path.is_file() and self._can_read():
            self._warn(f"cannot write to the translation cache ({_reason(exc)}); what it holds is "
                       "used, but new translations are not stored this session: " + _ADVICE,
                       topic="unwritable")  # fmt: skip
            return
        self.readable = False
        self._warn(f"cannot use the translation cache ({_reason(exc, self.path)}); translations "
                   "are not cached this session: " + _ADVICE, topic="unusable")  # fmt: skip

    def _can_read(self) -> bool:
        try:
            with self._connect() as db:
                _count(db)
        except (sqlite3.Error, _WrongTable, OSError):
            return False
        return True

    def _warn(self, message: str, *, topic: str) -> None:
        if topic not in self._said:
            self._said.add(topic)
            warnings.warn(str(CacheError(message, path=self.path)), stacklevel=4)


_ADVICE = "set CORPUS_TOOLS_TRANSLATION_CACHE to a file in a folder you can write to"
_COLUMNS = [field.name for field in fields(CachedTranslation)]


class _WrongTable(Exception):
    """The file is a database, but its translations table has other columns."""


def _check_table(db: sqlite3.Connection) -> None:
    columns = [row[1] for row in db.execute("pragma table_info(translations)")]
    if columns and columns != _COLUMNS:
        raise _WrongTable(f"a translations table with the columns {', '.join(columns)}")
    if not columns:
        db.execute(_SCHEMA)


def _count(db: sqlite3.Connection) -> int:
    return db.execute("select count(*) from translations").fetchone()[0]


def _select(db: sqlite3.Connection, keys: Sequence[str]) -> dict[str, CachedTranslation]:
    found: dict[str, CachedTranslation] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"select * from translations where key in ({marks})", chunk)
        items = (CachedTranslation(*row) for row in rows)
        found.update((item.key, item) for item in items if item.is_sound())
    return found


def _insert(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany("insert or replace into translations values (?,?,?,?,?,?,?,?)", rows)


def _row(item: CachedTranslation) -> tuple[Any, ...]:
    return (*astuple(item)[:-2], item.billed_characters or 0, item.date)


def _damaged(exc: Exception) -> bool:
    """The file is not a sound database of this cache (rather than one that cannot be used)."""
    return isinstance(exc, _WrongTable) or getattr(exc, "sqlite_errorname", None) in {
        "SQLITE_CORRUPT",
        "SQLITE_NOTADB",
    }


def _reason(exc: Exception, path: Path | None = None) -> str:
    if path is not None and path.is_dir():
        return "it is a folder"
    return getattr(exc, "strerror", None) or str(exc)


def _free_name(path: Path) -> Path:
    """``<name>.corrupt-<n>`` beside ``path``, with the first ``n`` not yet taken."""
    number = 1
    while path.with_name(f"{path.name}.corrupt-{number}").exists():
        number += 1
    return path.with_name(f"{path.name}.corrupt-{number}")
