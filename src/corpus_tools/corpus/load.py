"""Loading a corpus folder: find it, validate every document, take layers from the cache or build
them (in parallel processes when several documents need it)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from .cache import LayerCache, layer_key
from .document import Corpus, Document
from .manifest import DocumentManifest
from .provenance import SEPARATOR
from .segment import ParagraphSpan, Segmentation, paragraph_spans, segment_paragraphs

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
    paths = sorted((root / "documents").glob("*.yaml"))
    if not paths:
        raise CorpusError(
            f"no document files (*.yaml) in {root / 'documents'}; add one as corpus/README.md shows"
        )
    cache = LayerCache(Path(cache_dir or os.environ.get("CORPUS_TOOLS_CACHE") or root / ".cache"))
    plans = [_plan(cache.manifest(path, root / "sources")) for path in paths]
    layers = cache.layers(
        [(plan.manifest, plan.paragraphs, plan.key) for plan in plans],
        lambda missing: _build(plans, missing, workers=workers, progress=progress),
    )
    documents = [
        Document(plan.manifest, plan.paragraphs, layers[i]) for i, plan in enumerate(plans)
    ]
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


def _segment(plan: _Plan) -> Segmentation:
    return segment_paragraphs(plan.manifest.text, plan.segments)


def _build(
    plans: Sequence[_Plan], positions: list[int], *, workers: int | None, progress: bool | None
) -> dict[int, Segmentation]:
    """Segment the documents at ``positions``, in parallel processes when there are several."""
    chosen = [plans[position] for position in positions]
    workers = min(workers or os.cpu_count() or 1, len(chosen))
    show = len(chosen) > 1 if progress is None else progress
    if workers == 1:
        built = list(_with_progress(map(_segment, chosen), len(chosen), show))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunks = max(1, len(chosen) // (workers * 8))
            results = pool.map(_segment, chosen, chunksize=chunks)
            built = list(_with_progress(results, len(chosen), show))
    return dict(zip(positions, built, strict=True))


def _with_progress(results: Iterator[Any], total: int, show: bool) -> Iterator[Any]:
    if not show:
        return results
    from tqdm.auto import tqdm

    return tqdm(results, total=total, desc="segmenting", unit="doc")
