"""A persistent cache in front of DeepL: SQLite in the user's cache folder.

A translation is stored under a key made of everything that changes its result: the text,
both languages, the glossary's content, formality and model.  Running a notebook twice bills
nothing the second time.  The DeepL key is never part of a key or a row.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CachedTranslation", "TranslationCache", "cache_key", "default_cache_path"]

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
    """A stored DeepL result."""

    key: str
    source: str
    translation: str
    source_lang: str
    target_lang: str
    glossary: str | None
    billed_characters: int
    date: str


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
    """Stored DeepL translations, safe to share between kernels (SQLite does the locking)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"<TranslationCache {self.path.name}: {len(self)} translations>"

    def __len__(self) -> int:
        with self._connect() as db:
            return db.execute("select count(*) from translations").fetchone()[0]

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def get_many(self, keys: Sequence[str]) -> dict[str, CachedTranslation]:
        """The stored translations among ``keys``."""
        found: dict[str, CachedTranslation] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"select * from translations where key in ({marks})", chunk)
                found.update((row[0], CachedTranslation(*row)) for row in rows)
        return found

    def put_many(self, items: Iterable[CachedTranslation]) -> None:
        rows = [
            (i.key, i.source, i.translation, i.source_lang, i.target_lang, i.glossary,
             i.billed_characters, i.date)
            for i in items
        ]  # fmt: skip
        with self._connect() as db:
            db.executemany("insert or replace into translations values (?,?,?,?,?,?,?,?)", rows)
