"""A disk cache of what loading derives from the corpus files, keyed by everything it depends on.

Two things are cached per document, each in its own JSON file:

* ``<id>.layers.json``: sentences and tokens, keyed by the source text, the paragraph spans with
  their languages, this cache's format and the SoMaJo and simplemma versions;
* ``<id>.manifest.json``: the validated document file, keyed by its bytes and by the code that
  validates it, so an unchanged file is not parsed again (its source is still hashed each time).

A file that cannot be read or fails its checks is rebuilt, never trusted.  Writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Any

from .errors import CacheError
from .segment import Segmentation

__all__ = ["CACHE_FORMAT", "DiskCache", "check_layers", "layer_key", "manifest_key"]

CACHE_FORMAT = 2
"""Bump when segmentation or the cached shapes change in a way that invalidates old files."""


def layer_key(text: str, paragraphs: Sequence[tuple[int, int, str]]) -> str:
    """The cache key of the sentence and token layers of ``text`` with these paragraphs."""
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_FORMAT, *_tool_versions()]).encode())
    digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    digest.update(json.dumps(list(paragraphs)).encode())
    return digest.hexdigest()


def manifest_key(document_file: bytes) -> str:
    """The cache key of a validated document file: its bytes and the validating code."""
    return hashlib.sha256(_validator_fingerprint() + document_file).hexdigest()


@cache
def _tool_versions() -> tuple[str, str]:
    return metadata.version("somajo"), metadata.version("simplemma")


@cache
def _validator_fingerprint() -> bytes:
    here = Path(__file__).parent
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    for module in ("datafile.py", "manifest.py", "provenance.py"):
        digest.update((here / module).read_bytes())
    return digest.digest()


class DiskCache:
    """JSON payloads stored under a key, one file per name, in ``directory``."""

    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def load(self, name: str, key: str) -> Any | None:
        """The payload stored under ``key``, or None if absent or stored under another key.

        Raises:
            CacheError: the file exists but is not a readable cache file (rebuild it).
        """
        path = self.path(name)
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CacheError(
                f"cannot read cache file: {exc.strerror}; rebuilding", path=path
            ) from exc
        try:
            data = json.loads(raw)
            return data["payload"] if data["key"] == key else None
        except (ValueError, KeyError, TypeError) as exc:
            raise CacheError(f"cache file is corrupt ({exc}); rebuilding", path=path) from exc

    def store(self, name: str, key: str, payload: Any) -> None:
        """Write atomically (a temporary file renamed into place).

        Raises:
            CacheError: the folder is not writable (loading still works, but rebuilds).
        """
        data = json.dumps({"key": key, "payload": payload}, separators=(",", ":"))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(data)
            os.replace(temporary, self.path(name))
        except OSError as exc:
            raise CacheError(
                f"cannot write the cache ({exc.strerror}); everything will be rebuilt at every "
                "load until CORPUS_TOOLS_CACHE names a writable folder",
                path=self.directory,
            ) from exc


def check_layers(
    payload: Any, *, text_length: int, paragraph_count: int, path: Path
) -> Segmentation:
    """Cached layers as a :class:`Segmentation`, after structural checks.

    Raises:
        CacheError: missing or unequal columns, offsets out of order or range, broken links.
    """
    try:
        layers = Segmentation.from_json(payload)
    except (KeyError, TypeError) as exc:
        raise CacheError(f"cached layers are incomplete ({exc}); rebuilding", path=path) from exc
    sentences = (layers.sentence_start, layers.sentence_end, layers.sentence_paragraph)
    tokens = (
        layers.token_start,
        layers.token_end,
        layers.token_sentence,
        layers.token_class,
        layers.lemma,
    )
    for group in (sentences, tokens):
        if len({len(column) for column in group}) != 1:
            raise CacheError("cached layers have columns of unequal length; rebuilding", path=path)
    for (starts, ends, parents), parent_count in (
        (sentences, paragraph_count),
        (tokens[:3], len(layers.sentence_start)),
    ):
        if not _ordered(starts, ends, text_length) or not _links(parents, parent_count):
            raise CacheError("cached offsets or links are out of range; rebuilding", path=path)
    return layers


def _ordered(starts: list[int], ends: list[int], text_length: int) -> bool:
    """Each unit is non-empty, ends before the next begins, and lies within the text."""
    if not starts:
        return True
    following = [*starts[1:], text_length]
    return starts[0] >= 0 and all(
        a < b <= c for a, b, c in zip(starts, ends, following, strict=True)
    )


def _links(parents: list[int], parent_count: int) -> bool:
    """Parent indices are ordered and point at existing parents."""
    ordered = all(a <= b for a, b in pairwise(parents))
    return ordered and (not parents or (parents[0] >= 0 and parents[-1] < parent_count))
