"""Rewriting a cached layers file the way damage or a faulty writer would (for the cache tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus_tools.corpus.columnar import _DIGEST, _PARAGRAPHS, _PARAGRAPHS_DIGEST, _digest

Columns = dict[str, list[Any]]
Metadata = dict[bytes, bytes]


def rewritten(
    path: Path,
    change: Callable[[Columns], None] = lambda _: None,
    *,
    checksum: bool = False,
    metadata: Callable[[Metadata], None] = lambda _: None,
) -> None:
    """Rewrite the layers file at ``path`` with ``change`` applied to its columns (as lists)
    and ``metadata`` to its schema's metadata; the old checksums are kept (damage on disk) or,
    with ``checksum``, made anew for what is written (a sound file with wrong layers)."""
    import pyarrow as pa

    table = pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    change(columns)
    arrays = {
        name: pa.array(values).dictionary_encode() if name in {"lemma", "token_class", "form"}
        else pa.array(values, pa.int32()) for name, values in columns.items()
    }  # fmt: skip
    recorded = dict(table.schema.metadata)
    if checksum:
        recorded[_DIGEST] = _digest(*arrays.values()).encode()
        if _PARAGRAPHS in recorded:
            spans = recorded[_PARAGRAPHS].decode()
            recorded[_PARAGRAPHS_DIGEST] = _digest(recorded[_DIGEST].decode(), spans).encode()
    metadata(recorded)
    table = pa.table(arrays).replace_schema_metadata(recorded)
    with pa.ipc.new_file(str(path), table.schema) as writer:
        writer.write_table(table)
