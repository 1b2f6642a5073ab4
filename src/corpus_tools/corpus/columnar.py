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

import hashlib
import io
import json
from collections.abc import Sequence
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
    "as_dictionary",
    "as_list",
    "as_lists",
    "distinct_words",
    "joined_integers",
    "numpy_view",
    "read_layers",
    "read_paragraphs",
    "word_chunks",
    "write_layers",
]

CHANGED = "cache file no longer matches its checksum (changed or damaged on disk); rebuilding"

_KEY = b"corpus_tools.key"
_DIGEST = b"corpus_tools.sha256"
_PARAGRAPHS = b"corpus_tools.paragraphs"


def write_layers(
    path: Path, key: str, layers: Segmentation, paragraphs: Sequence[tuple[int, int, str]]
) -> None:
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
    spans = json.dumps([list(paragraph) for paragraph in paragraphs], separators=(",", ":"))
    digest = _digest(*columns.values(), spans).encode()
    metadata = {_KEY: key.encode(), _DIGEST: digest, _PARAGRAPHS: spans.encode()}
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
    stored = _read(path, key)
    return None if stored is None else _checked(path, stored, text_length, paragraphs)


def read_paragraphs(path: Path) -> tuple[Segmentation, list[tuple[int, int, str]]] | None:
    """Whatever layers ``path`` holds, whatever their key, with the ``(start, end, key)`` of
    the paragraphs they were made from; None if it holds none, or none it can vouch for."""
    try:
        stored = _read(path, None)
        if stored is None:
            return None
        spans = [(int(s), int(e), str(k)) for s, e, k in json.loads(stored.metadata[_PARAGRAPHS])]
        bounds = ([s for s, _, _ in spans], [e for _, e, _ in spans])
        return _checked(path, stored, max(bounds[1], default=0), bounds), spans
    except (CacheError, KeyError, TypeError, ValueError):
        return None


class _Stored(NamedTuple):
    """A layers file's columns, as read: integers as numpy views, words as dictionaries."""

    integers: list[np.ndarray]
    words: list[Any]
    metadata: dict[bytes, bytes]


def _read(path: Path, key: str | None) -> _Stored | None:
    """The columns of ``path`` if it is stored under ``key`` (any key, for None) and its
    values match their checksum."""
    import pyarrow as pa

    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        raise CacheError(f"cannot read cache file: {exc.strerror}; rebuilding", path=path) from exc
    try:
        reader = pa.ipc.open_file(pa.py_buffer(data))
        metadata = reader.schema.metadata or {}
        if key is not None and metadata.get(_KEY) != key.encode():
            return None
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
    spans = metadata.get(_PARAGRAPHS)
    recorded = metadata.get(_DIGEST, b"").decode()
    if _digest(*integers, *words, *([spans.decode()] if spans else [])) != recorded:
        raise CacheError(CHANGED, path=path)
    return _Stored(views, words, metadata)


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
