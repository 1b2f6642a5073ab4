"""Loading a corpus folder: find it, validate every document, take layers from the cache or build
them (in parallel processes when several documents, or one long one, need it; only the
paragraphs that changed, when the cache holds a document's earlier version)."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from .cache import LayerCache, layer_key
from .document import Corpus, Document
from .layout import data_files
from .manifest import DocumentManifest
from .provenance import SEPARATOR
from .segment import (
    ParagraphSpan,
    Segmentation,
    joined_segmentations,
    paragraph_spans,
    segment_paragraphs,
)

__all__ = ["find_corpus_root", "load_corpus"]


def find_corpus_root(start: Path | None = None) -> Path:
    """The corpus folder: ``$CORPUS_TOOLS_ROOT``, else the nearest ``corpus/`` above ``start``
    (default: the working directory), else the one beside this package's source tree.

    Raises:
        CorpusError: none of these holds a ``documents`` folder.
    """
    if env := os.environ.get("CORPUS_TOOLS_ROOT"):
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "corpus" / "documents").is_dir():
            return folder / "corpus"
    beside = Path(__file__).resolve().parents[3] / "corpus"
    if (beside / "documents").is_dir():
        return beside
    raise CorpusError(
        f"no corpus/ folder with documents/ found above {here}; pass the path to load_corpus() "
        "or set CORPUS_TOOLS_ROOT"
    )


def load_corpus(
    root: Path | str | None = None,
    *,
    cache_dir: Path | str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> Corpus:
    """Load and validate every document under ``root/documents``.

    Args:
        root: the corpus folder (see :func:`find_corpus_root` for the default).
        cache_dir: where derived layers are cached (default ``root/.cache``,
            or ``$CORPUS_TOOLS_CACHE``).
        workers: processes for building missing layers (default: every core).
        progress: show a progress bar while building (default: when more than one
            document needs building).

    Raises:
        CorpusError: any file of the corpus is malformed; the message names file and line.
    """
    root = Path(root) if root is not None else find_corpus_root()
    paths = data_files(root / "documents", "*.yaml")
    if not paths:
        raise CorpusError(
            f"no document files (*.yaml) in {root / 'documents'}; add one as corpus/README.md shows"
        )
    cache = LayerCache(Path(cache_dir or os.environ.get("CORPUS_TOOLS_CACHE") or root / ".cache"))
    plans = [_plan(cache.manifest(path, root / "sources")) for path in paths]
    layers = cache.layers(
        [(plan.manifest, plan.segments, plan.key) for plan in plans],
        lambda missing: _build(plans, missing, cache, workers=workers, progress=progress),
    )
    documents = [
        Document(plan.manifest, plan.paragraphs, layers[i]) for i, plan in enumerate(plans)
    ]
    for doc in documents:
        if doc.manifest.ids_of("sentences") is not None:
            len(doc.sentences)  # an id for every sentence, or an error naming the file now
    return Corpus(root, documents, cache=cache)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a document's derived layers are computed from, and their cache key."""

    manifest: DocumentManifest
    paragraphs: list[ParagraphSpan]
    segments: list[tuple[int, int, str]]
    key: str


def _plan(manifest: DocumentManifest) -> _Plan:
    top_level = [
        (spec.start, spec.end, row)
        for row, spec in enumerate(manifest.sections)
        if spec.depth == 0 and spec.provenance.kind != SEPARATOR
    ]
    paragraphs = paragraph_spans(manifest.text, top_level, manifest.paragraph_mode)
    languages = [spec.provenance.language for spec in manifest.sections]
    segments = [(p.start, p.end, languages[p.section]) for p in paragraphs]
    return _Plan(manifest, paragraphs, segments, layer_key(manifest.text, segments))


PIECE = 100_000
"""Characters of text (whole paragraphs) segmented as one unit of work, so that one long
document is shared among the processes too."""


@dataclass(frozen=True, slots=True)
class _Piece:
    """Consecutive paragraphs of one document, with their text, segmented together."""

    document: int
    """The document's position in the build."""
    offset: int
    """Where the piece's text begins in the document's."""
    paragraph: int
    """The number of the piece's first paragraph in the document."""
    text: str
    segments: list[tuple[int, int, str]]
    """The paragraphs, with offsets into the piece's text."""


def _pieces(document: int, plan: _Plan, done: Collection[int]) -> list[_Piece]:
    """``plan``'s paragraphs but those ``done``, in runs of consecutive ones cut into pieces of
    about :data:`PIECE` characters."""
    runs: list[list[int]] = [[]]
    for index, (_, end, _) in enumerate(plan.segments):
        if index in done:
            runs.append([])
            continue
        run = runs[-1]
        if run and end - plan.segments[run[0]][0] > PIECE:
            runs.append(run := [])
        run.append(index)
    pieces = []
    for run in filter(None, runs):
        start, end = plan.segments[run[0]][0], plan.segments[run[-1]][1]
        relative = [
            (s - start, e - start, language)
            for s, e, language in plan.segments[run[0] : run[-1] + 1]
        ]
        pieces.append(_Piece(document, start, run[0], plan.manifest.text[start:end], relative))
    return pieces


def _segment(piece: _Piece) -> Segmentation:
    return segment_paragraphs(piece.text, piece.segments)


def _build(
    plans: Sequence[_Plan],
    positions: list[int],
    cache: LayerCache,
    *,
    workers: int | None,
    progress: bool | None,
) -> dict[int, Segmentation]:
    """Segment the documents at ``positions``, in parallel processes when there is more than
    a piece's worth of text (several documents, or one long one); paragraphs that an earlier
    version of their document had are taken from its cached layers."""
    files = cache.layers_files()
    kept = {
        p: cache.earlier_layers(
            plans[p].manifest, plans[p].segments, plans[p].key, files.get(plans[p].manifest.id, [])
        )
        for p in positions
    }
    pieces = [piece for p in positions for piece in _pieces(p, plans[p], kept[p])]
    work = sum(len(piece.text) for piece in pieces)  # starting a process pays only for a lot
    workers = min(workers or os.cpu_count() or 1, len(pieces), 1 + work // PIECE)
    show = len(positions) > 1 if progress is None else progress
    if workers <= 1:
        built = list(_with_progress(map(_segment, pieces), len(pieces), show))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunks = max(1, len(pieces) // (workers * 8))
            results = pool.map(_segment, pieces, chunksize=chunks)
            built = list(_with_progress(results, len(pieces), show))
    parts: dict[int, list[tuple[Segmentation, int, int]]] = {
        p: [(layers, plans[p].segments[index][0], index) for index, layers in kept[p].items()]
        for p in positions
    }
    for piece, layers in zip(pieces, built, strict=True):
        parts[piece.document].append((layers, piece.offset, piece.paragraph))
    return {
        p: joined_segmentations(sorted(found, key=lambda part: part[2]))
        for p, found in parts.items()
    }


def _with_progress(results: Iterator[Any], total: int, show: bool) -> Iterator[Any]:
    if not show:
        return results
    from tqdm.auto import tqdm

    return tqdm(results, total=total, desc="segmenting", unit="piece")
