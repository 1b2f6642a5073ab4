"""A disk cache of derived layers, keyed by everything they are computed from.

The key hashes the source text, the paragraph spans with their languages, this cache's
format and the SoMaJo and simplemma versions, so a changed source or tool rebuilds.  A file
that cannot be read or fails its checks is rebuilt, never trusted.  Writes are atomic.
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

from .errors import CacheError
from .segment import Segmentation

__all__ = ["LAYER_FORMAT", "LayerCache", "layer_key"]

LAYER_FORMAT = 1
"""Bump when segmentation changes in a way that invalidates cached layers."""


def layer_key(text: str, paragraphs: Sequence[tuple[int, int, str]]) -> str:
    """The cache key of the sentence and token layers of ``text`` with these paragraphs."""
    digest = hashlib.sha256()
    digest.update(json.dumps([LAYER_FORMAT, *_tool_versions()]).encode())
    digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    digest.update(json.dumps(list(paragraphs)).encode())
    return digest.hexdigest()


@cache
def _tool_versions() -> tuple[str, str]:
    return metadata.version("somajo"), metadata.version("simplemma")


class LayerCache:
    """Cached :class:`Segmentation` objects, one JSON file per document, under ``directory``."""

    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, doc_id: str) -> Path:
        return self.directory / f"{doc_id}.layers.json"

    def load(
        self, doc_id: str, key: str, *, text_length: int, paragraph_count: int
    ) -> Segmentation | None:
        """The cached layers, or None if absent or stale.

        Raises:
            CacheError: the file exists but is corrupt (the caller rebuilds it).
        """
        path = self.path(doc_id)
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CacheError(f"cannot read cached layers: {exc.strerror}", path=path) from exc
        try:
            data = json.loads(raw)
            if data.get("key") != key:
                return None
            layers = Segmentation.from_json(data["layers"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CacheError(f"cached layers are corrupt ({exc}); rebuilding", path=path) from exc
        _check(layers, text_length, paragraph_count, path)
        return layers

    def store(self, doc_id: str, key: str, layers: Segmentation) -> None:
        """Write atomically (a temporary file renamed into place).

        Raises:
            CacheError: the folder is not writable (loading still works, but rebuilds).
        """
        payload = json.dumps({"key": key, "layers": layers.as_json()}, separators=(",", ":"))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
            os.replace(temporary, self.path(doc_id))
        except OSError as exc:
            raise CacheError(
                f"cannot write cached layers ({exc.strerror}); layers will be rebuilt at every "
                "load until CORPUS_TOOLS_CACHE names a writable folder",
                path=self.directory,
            ) from exc


def _check(layers: Segmentation, text_length: int, paragraph_count: int, path: Path) -> None:
    """Structural checks: equal column lengths, ordered in-range offsets, valid parent links."""
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
