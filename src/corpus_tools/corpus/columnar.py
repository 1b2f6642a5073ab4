"""A document's sentence and token layers on disk: one Arrow IPC file.

The file holds one record batch of tokens (``start``, ``end``, ``sentence``, and ``token_class``,
``lemma`` and ``form`` dictionary-encoded) whose schema metadata holds the cache key and a
checksum of the values, so a file changed on disk is rebuilt even where it still looks sound,
and the span and key of each paragraph the layers were made from, so that a later version of
the document can take the layers of the paragraphs it did not change (:func:`read_paragraphs`).
Sentences are not stored: a sentence runs from its first token's start to its last token's
end, and lies in the paragraph that holds its start.  A file is read whole into one buffer
(for files of a document's size that is four times faster than mapping each) and the columns
are numpy views of it, checked with numpy: a thousand documents of a million tokens load in
a tenth of a second, and nothing becomes a Python object until it is asked for.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
from collections.abc import Container, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CacheError
from ..files import write_atomic
from .segment import Segmentation

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "CHANGED",
    "Earlier",
    "as_dictionary",
    "as_list",
    "as_lists",
    "distinct_words",
    "joined_integers",
    "numpy_view",
    "prefer_jemalloc_pool",
    "read_layers",
    "read_paragraphs",
    "word_chunks",
    "write_layers",
]

CHANGED = "cache file no longer matches its checksum (changed or damaged on disk); rebuilding"

_KEY = b"corpus_tools.key"
_DIGEST = b"corpus_tools.sha256"
_PARAGRAPHS = b"corpus_tools.paragraphs"
_PARAGRAPHS_DIGEST = b"corpus_tools.paragraphs.sha256"
"""The paragraphs' spans and keys have a checksum of their own (over the columns' and theirs),
so that the checksum of the columns stays what versions without them check."""

Spans = list[tuple[int, int, str]]
"""Each paragraph's ``(start, end, key)``."""


@functools.cache
def prefer_jemalloc_pool() -> None:
    """Make jemalloc the allocator of Arrow's buffers, once per process, where pyarrow's own
    default (mimalloc) would be used: not where ``ARROW_DEFAULT_MEMORY_POOL`` names a pool,
    another pool is set, or this pyarrow was built without jemalloc.  With mimalloc a table
    of a million tokens took from 0.22 s to 0.86 s from one new process to the next on the
    2-core machines this project runs on, and ``pd.read_parquet`` from 0.12 s to 0.39 s;
    with jemalloc 0.26 s to 0.28 s and 0.14 s to 0.17 s."""
    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    if pa.default_memory_pool().backend_name == "mimalloc":
        with contextlib.suppress(NotImplementedError):  # a build without it (as on Windows)
            pa.set_memory_pool(pa.jemalloc_memory_pool())


def write_layers(path: Path, key: str, layers: Segmentation, paragraphs: Spans) -> None:
    """Write ``layers`` under ``key`` to ``path`` atomically, with the ``(start, end, key)`` of
    each paragraph they were made from.

    Raises:
        OSError: the folder cannot be written to.
    """
    import pyarrow as pa

    columns = {
        "start": pa.array(layers.token_start, pa.int32()),
        "end": pa.array(layers.token_end, pa.int32()),
        "sentence": pa.array(layers.token_sentence, pa.int32()),
        "token_class": as_dictionary(layers.token_class),
        "lemma": as_dictionary(layers.lemma),
        "form": as_dictionary(layers.form),
    }
    digest = _digest(*columns.values())
    spans = json.dumps([list(paragraph) for paragraph in paragraphs], separators=(",", ":"))
    metadata = {
        _KEY: key.encode(),
        _DIGEST: digest.encode(),
        _PARAGRAPHS: spans.encode(),
        _PARAGRAPHS_DIGEST: _digest(digest, spans).encode(),
    }
    batch = pa.record_batch(columns, metadata=metadata)
    sink = io.BytesIO()
    with pa.ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)  # one batch, even of no tokens
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, sink.getvalue())


def as_dictionary(values: Any) -> Any:
    """Words (a list, or an Arrow array of them) as a dictionary-encoded Arrow array."""
    import pyarrow as pa

    if isinstance(values, pa.DictionaryArray):
        return values
    return pa.array(values, pa.string()).dictionary_encode()


def read_layers(
    path: Path, key: str, *, text_length: int, paragraphs: tuple[Any, Any]
) -> Segmentation | None:
    """The layers stored in ``path`` under ``key``, or None if absent or stored under another.

    Args:
        paragraphs: the paragraphs' start and end offsets (sorted), which hold the sentences.

    Raises:
        CacheError: the file is damaged, or its offsets or links are not those of a layer.
    """
    prefer_jemalloc_pool()  # before the tables made of these layers
    opened = _open(path)
    if opened is None or (opened.schema.metadata or {}).get(_KEY) != key.encode():
        return None
    return _checked(path, _columns(path, opened), text_length, paragraphs)


class Earlier(NamedTuple):
    """What :func:`read_paragraphs` finds in a layers file."""

    layers: Segmentation
    spans: Spans
    """The ``(start, end, key)`` of each paragraph the layers were made from."""
    key: str
    """The key the layers were stored under."""


def read_paragraphs(path: Path, wanted: Container[str]) -> Earlier | None:
    """The layers in ``path``, whatever their key, with the spans of the paragraphs they were
    made from, if one of these has a key in ``wanted``; None if none has, or if the file is
    not one this can vouch for (damaged, written without paragraph keys, or of spans that are
    not those of paragraphs)."""
    try:
        opened = _open(path)
        if opened is None:
            return None
        metadata = opened.schema.metadata
        recorded = _digest(metadata[_DIGEST].decode(), metadata[_PARAGRAPHS].decode())
        if recorded != metadata[_PARAGRAPHS_DIGEST].decode():
            return None
        spans = _spans(metadata[_PARAGRAPHS])
        if not any(paragraph in wanted for _, _, paragraph in spans):
            return None
        stored = _columns(path, opened)  # the columns, checked against the columns' checksum
        bounds = ([s for s, _, _ in spans], [e for _, e, _ in spans])
        layers = _checked(path, stored, max(bounds[1], default=0), bounds)
        return Earlier(layers, spans, metadata[_KEY].decode())
    except (CacheError, KeyError, TypeError, ValueError, ArithmeticError, RecursionError):
        return None


def _spans(recorded: bytes) -> Spans:
    """The paragraph spans recorded in a file, once they are in order and do not overlap."""
    spans = [(int(s), int(e), str(k)) for s, e, k in json.loads(recorded)]
    ends = [0] + [end for _, end, _ in spans[:-1]]
    if any(not before <= start < end for before, (start, end, _) in zip(ends, spans, strict=True)):
        raise ValueError("paragraph spans out of order")
    return spans


class _Stored(NamedTuple):
    """A layers file's columns, as read: integers as numpy views, words as dictionaries."""

    integers: list[np.ndarray]
    words: list[Any]


def _open(path: Path) -> Any:
    """A reader of the Arrow file at ``path``, or None if there is no file.

    Raises:
        CacheError: the file cannot be read, or is not an Arrow file.
    """
    import pyarrow as pa

    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        raise CacheError(f"cannot read cache file: {exc.strerror}; rebuilding", path=path) from exc
    try:
        return pa.ipc.open_file(pa.py_buffer(data))
    except (ValueError, pa.ArrowException) as exc:
        raise CacheError(f"cache file is corrupt ({exc}); rebuilding", path=path) from exc


def _columns(path: Path, reader: Any) -> _Stored:
    """The columns of the file ``reader`` reads, once they match their checksum.

    Raises:
        CacheError: a column is missing or of another type, or the values have changed.
    """
    import pyarrow as pa

    try:
        batch = reader.get_batch(0)
        if reader.num_record_batches != 1:
            raise ValueError(f"{reader.num_record_batches} record batches")
        integers = [batch.column(n) for n in ("start", "end", "sentence")]
        views = [numpy_view(column) for column in integers]
        words = [batch.column(n) for n in ("token_class", "lemma", "form")]
    except (KeyError, IndexError, TypeError, ValueError, pa.ArrowException) as exc:
        raise CacheError(f"cache file is corrupt ({exc}); rebuilding", path=path) from exc
    if not _dictionaries(*words):
        raise CacheError("cached words are not dictionaries of text; rebuilding", path=path)
    if _digest(*integers, *words) != (reader.schema.metadata or {}).get(_DIGEST, b"").decode():
        raise CacheError(CHANGED, path=path)
    return _Stored(views, words)


def _checked(
    path: Path, stored: _Stored, text_length: int, paragraphs: tuple[Any, Any]
) -> Segmentation:
    """The stored layers, once their offsets are in order within the text and each sentence
    lies in one of ``paragraphs``."""
    starts, ends, sentences = stored.integers
    if not _ordered(starts, ends, text_length):
        raise CacheError("cached offsets are out of order or range; rebuilding", path=path)
    found = _sentences(starts, ends, sentences, paragraphs)
    if found is None:
        raise CacheError("cached sentences do not fit the paragraphs; rebuilding", path=path)
    return Segmentation(*found, starts, ends, sentences, *stored.words)


def _digest(*columns: Any) -> str:
    """A checksum of the columns' values: the integers as stored, each dictionary's indices
    and words, and text as it is."""
    digest = hashlib.sha256()
    for column in columns:
        if isinstance(column, str):
            digest.update(column.encode())
        elif hasattr(column, "indices"):
            digest.update(numpy_view(column.indices).tobytes())
            digest.update("\x00".join(column.dictionary.to_pylist()).encode())
        else:
            digest.update(numpy_view(column).tobytes())
        digest.update(b"\x01")
    return digest.hexdigest()


def _ordered(starts: np.ndarray, ends: np.ndarray, text_length: int) -> bool:
    """Each token is non-empty, ends before the next begins, and lies within the text."""
    if not len(starts):
        return True
    return bool(
        starts[0] >= 0
        and ends[-1] <= text_length
        and (starts < ends).all()
        and (ends[:-1] <= starts[1:]).all()
    )


def _dictionaries(*columns: Any) -> bool:
    import pyarrow as pa

    return all(
        isinstance(column, pa.DictionaryArray)
        and pa.types.is_string(column.type.value_type)
        and column.null_count == 0
        for column in columns
    )


def _sentences(
    starts: np.ndarray, ends: np.ndarray, sentences: np.ndarray, paragraphs: tuple[Any, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Each sentence's start, end and paragraph, from its tokens; None where sentence numbers
    do not run 0, 1, 2 ... or a sentence leaves its paragraph."""
    import numpy as np

    if not len(sentences):
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty, empty
    steps = np.diff(sentences)
    if sentences[0] != 0 or ((steps != 0) & (steps != 1)).any():
        return None
    first = np.flatnonzero(np.concatenate(([True], steps == 1)))
    last = np.concatenate((first[1:] - 1, [len(sentences) - 1]))
    sentence_start, sentence_end = starts[first], ends[last]
    paragraph_starts, paragraph_ends = (np.asarray(column) for column in paragraphs)
    paragraph = np.searchsorted(paragraph_starts, sentence_start, side="right") - 1
    if (paragraph < 0).any() or (sentence_end > paragraph_ends[paragraph]).any():
        return None
    return sentence_start, sentence_end, paragraph.astype(np.int32)


def as_list(values: Any) -> list[Any]:
    """A column as a Python list: numpy and Arrow arrays (dictionary-encoded ones too) are
    converted in one go, lists pass through."""
    if isinstance(values, list):
        return values
    if hasattr(values, "indices"):  # a pyarrow DictionaryArray
        import numpy as np

        words = np.asarray(values.dictionary.to_pylist(), dtype=object)
        return words[numpy_view(values.indices)].tolist()
    return values.tolist()


def as_lists(layers: Segmentation) -> Segmentation:
    """``layers`` with every column a Python list."""
    return Segmentation(*(as_list(getattr(layers, field.name)) for field in fields(layers)))


def numpy_view(array: Any) -> np.ndarray:
    """A numpy view of an Arrow integer array without nulls, read from its buffer (Arrow's own
    ``to_numpy`` imports pandas, which loading must not pay for)."""
    import numpy as np
    import pyarrow as pa

    if not pa.types.is_integer(array.type) or array.null_count:
        raise TypeError(f"expected integers without gaps, not {array.type}")
    dtype = np.dtype(array.type.to_pandas_dtype())
    if not len(array):
        return np.zeros(0, dtype=dtype)
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )


def joined_integers(columns: Sequence[Any]) -> np.ndarray:
    """Integer columns (lists or arrays) of several documents, end to end, as one int64 array."""
    import numpy as np

    arrays = [c if isinstance(c, np.ndarray) else np.asarray(c, dtype=np.int64) for c in columns]
    return np.concatenate([np.zeros(0, np.int64), *arrays], dtype=np.int64)


def word_chunks(columns: Sequence[Any]) -> Any:
    """Word columns of several documents (lists, or dictionary-encoded arrays) as one chunked
    Arrow array of dictionaries, for :func:`distinct_words`."""
    import pyarrow as pa

    chunks = [as_dictionary(column) for column in columns]
    return pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))


def distinct_words(words: Any) -> tuple[list[str], np.ndarray]:
    """The distinct words of an Arrow array of words (plain, dictionary-encoded, or chunks of
    either), and where each word is among them: code that looks words up does it once per
    distinct word."""
    import numpy as np
    import pyarrow as pa

    if isinstance(words, pa.ChunkedArray) and pa.types.is_dictionary(words.type):
        encoded = words.unify_dictionaries().combine_chunks()
    else:
        encoded = words if isinstance(words, pa.DictionaryArray) else words.dictionary_encode()
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.unify_dictionaries().combine_chunks()
    if not len(encoded):
        return encoded.dictionary.to_pylist(), np.zeros(0, dtype=np.int64)
    return encoded.dictionary.to_pylist(), numpy_view(encoded.indices)
