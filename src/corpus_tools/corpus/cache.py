"""The layer cache: what loading derives from the corpus files, kept and checked on disk.

Each document has two files:

* ``<id>.<key>.layers.arrow``: sentences and tokens (:mod:`corpus_tools.corpus.columnar`),
  keyed by the source text, the paragraph spans with their languages, this cache's format and
  the SoMaJo and simplemma versions, and read only when a document's layers are first used.
  When a document changes, the paragraphs it kept (the same text in the same language) take
  their layers from the file of its earlier version, and only the others are segmented;
* ``<id>.manifest.json``: the validated document file, keyed by its bytes and by the code that
  validates it, so an unchanged file is not parsed again (its source is still hashed each time).

Tools above the corpus keep what they derive with the same tools there too
(:meth:`LayerCache.derived`: the glossary's analysed forms, for one).

:class:`LayerCache` owns the one rule for all of them: use what is stored if it is sound,
otherwise build it, warn where a stored file was damaged, and store the result.  Writes are
atomic.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Sequence
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from ..errors import CacheError
from ..files import write_atomic
from .columnar import CHANGED, as_lists, read_layers, read_paragraphs, write_layers
from .datafile import read_bytes
from .manifest import DocumentManifest, read_manifest
from .segment import Segmentation, paragraph_layers

__all__ = ["CACHE_FORMAT", "DiskCache", "LayerCache", "derived_key", "layer_key", "paragraph_key"]

T = TypeVar("T")
Segments = Sequence[tuple[int, int, str]]
"""A document's paragraphs as ``(start, end, language)``."""

CACHE_FORMAT = 5
"""Bump when segmentation or the cached shapes change in a way that invalidates old files."""


def layer_key(text: str, paragraphs: Sequence[tuple[int, int, str]]) -> str:
    """The cache key of the sentence and token layers of ``text`` with these paragraphs."""
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_FORMAT, *_tool_versions()]).encode())
    digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    digest.update(json.dumps(list(paragraphs)).encode())
    return digest.hexdigest()


def paragraph_key(text: str, language: str) -> str:
    """The key of one paragraph's layers: its text and language, this cache's format and the
    tool versions (so that layers another SoMaJo made are never taken)."""
    digest = _paragraph_digest().copy()
    digest.update(language.encode())
    digest.update(b"\x00")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:32]


@cache
def _paragraph_digest() -> Any:
    return hashlib.sha256(json.dumps([CACHE_FORMAT, *_tool_versions()]).encode())


def derived_key(inputs: Any) -> str:
    """The cache key of anything else derived with SoMaJo and simplemma from ``inputs`` (JSON)."""
    encoded = json.dumps([CACHE_FORMAT, *_tool_versions(), inputs], ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def manifest_key(document_file: bytes) -> str:
    """The cache key of a validated document file: its bytes and the validating code."""
    return hashlib.sha256(_validator_fingerprint() + document_file).hexdigest()


@cache
def _tool_versions() -> tuple[str, str]:
    return metadata.version("somajo"), metadata.version("simplemma")


@cache
def _validator_fingerprint() -> bytes:
    """A hash of the manifest reader and every module of this package it imports, found by
    following its imports (so that moving or renaming a module cannot leave it out)."""
    package_root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    for path in _imported_modules(Path(__file__).with_name("manifest.py"), package_root):
        digest.update(path.relative_to(package_root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


_RELATIVE_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(\.+)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)", re.M
)
"""``from .module import name`` and ``from . import module``, at any indentation (imports made
inside functions count too); read with a pattern, which is many times quicker than parsing
every module at each start."""


def _imported_modules(start: Path, package_root: Path) -> list[Path]:
    """``start`` and the package's modules it imports, directly or not, in a stable order."""
    seen: dict[Path, None] = {}
    pending = [start]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen[path] = None
        source = path.read_text("utf-8")
        for dots, module, names in _RELATIVE_IMPORT.findall(source):
            base = path.parent
            for _ in range(len(dots) - 1):
                base = base.parent
            parts = module.split(".") if module else []
            stems = (
                [base.joinpath(*parts)]
                if parts
                else [base / name.strip() for name in names.split(",") if name.strip()]
            )
            for stem in stems:
                found = _module_file(stem)
                if found is not None and found.is_relative_to(package_root):
                    pending.append(found)
    return sorted(seen)


def _module_file(stem: Path) -> Path | None:
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class DiskCache:
    """JSON payloads stored under a key, one file per name, in ``directory``.

    A file is two lines: ``{"key": ..., "sha256": ...}``, then the payload; the checksum is
    that of the payload's line, so a payload changed on disk is caught without parsing it.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def load(self, name: str, key: str) -> Any | None:
        """The payload stored under ``key``, or None if absent or stored under another key.

        Raises:
            CacheError: the file exists but is not a readable cache file, or its payload no
                longer matches its checksum (rebuild it).
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
        header, _, payload = raw.partition(b"\n")
        try:
            recorded = json.loads(header)
            if recorded["key"] != key:
                return None
            if hashlib.sha256(payload).hexdigest() != recorded["sha256"]:
                raise CacheError(CHANGED, path=path)
            return json.loads(payload)
        except (ValueError, KeyError, TypeError) as exc:
            raise CacheError(f"cache file is corrupt ({exc}); rebuilding", path=path) from exc

    def store(self, name: str, key: str, payload: Any) -> None:
        """Write atomically (a complete file renamed into place), readable by the other users
        of a shared corpus as the umask allows.

        Raises:
            CacheError: the folder is not writable (loading still works, but rebuilds).
        """
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        header = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest()})
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path(name), header.encode() + b"\n" + body)
        except OSError as exc:
            raise _unwritable(exc, self.directory) from exc


def _unwritable(exc: OSError, directory: Path) -> CacheError:
    return CacheError(
        f"cannot write the cache ({exc.strerror}); everything will be rebuilt at every "
        "load until CORPUS_TOOLS_CACHE names a writable folder",
        path=directory,
    )


class LayerCache:
    """Validated manifests and derived layers of a corpus, from disk when sound, else built.

    Every damaged or unwritable cache file is reported as a warning naming it; loading goes on
    with what it builds.
    """

    def __init__(self, directory: Path):
        self.disk = DiskCache(directory)

    def manifest(self, path: Path, sources_dir: Path) -> DocumentManifest:
        """The validated manifest of ``path``: from the cache if the file and its source are
        unchanged, else read (and stored)."""
        name, key = f"{path.stem}.manifest", manifest_key(read_bytes(path, what="document file"))
        try:
            payload = self.disk.load(name, key)
            cached = payload and DocumentManifest.from_json(payload, path, sources_dir)
        except (CacheError, KeyError, TypeError, ValueError) as exc:
            _warn(f"{self.disk.path(name)}: ignoring the cached manifest ({exc})")
            cached = None
        if cached:
            return cached
        manifest = read_manifest(path, sources_dir)
        self._store(name, key, manifest.to_json())
        return manifest

    def layers(
        self,
        wanted: Sequence[tuple[DocumentManifest, Segments, str]],
        build: Callable[[list[int]], dict[int, Segmentation]],
    ) -> dict[int, Segmentation | Callable[[], Segmentation]]:
        """The layers of each wanted document, by its position in ``wanted``: those not cached
        are built at once (all together, so in parallel); a cached one is a function that reads
        it when the document's sentences or tokens are first asked for, and rebuilds it (with a
        warning) if the file turns out to be damaged.

        Args:
            wanted: per document, its manifest, its paragraphs' ``(start, end, language)``
                and its layer key.
            build: makes the layers of the documents at these positions.
        """
        found: dict[int, Segmentation | Callable[[], Segmentation]] = {}
        missing = []
        for position, (manifest, segments, key) in enumerate(wanted):
            if self.layers_path(manifest.id, key).is_file():
                found[position] = partial(
                    self._read_or_rebuild, manifest, segments, key,
                    lambda p=position: build([p])[p],
                )  # fmt: skip
            else:
                missing.append(position)
        built = build(missing) if missing else {}
        files = self.layers_files() if built else {}
        for position, layers in built.items():
            manifest, segments, key = wanted[position]
            self._store_layers(manifest, segments, key, layers, files.get(manifest.id, []))
        return found | built

    def earlier_layers(
        self, manifest: DocumentManifest, segments: Segments, key: str, files: list[Path]
    ) -> dict[int, Segmentation]:
        """The layers of those of ``segments`` (by position) whose text and language are those
        of a paragraph in one of ``files`` (the document's layers files, see
        :meth:`layers_files`) other than that of ``key``, as
        :func:`~.segment.segment_paragraphs` gives them for that paragraph alone."""
        current = self.layers_path(manifest.id, key)
        earlier = [path for path in files if path != current]
        if not earlier:
            return {}
        wanted: dict[str, list[int]] = {}
        for position, (start, end, language) in enumerate(segments):
            paragraph = paragraph_key(manifest.text[start:end], language)
            wanted.setdefault(paragraph, []).append(position)
        found: dict[int, Segmentation] = {}
        for path in earlier:
            stored = read_paragraphs(path, wanted)
            if stored is None or self.layers_path(manifest.id, stored.key) != path:
                continue
            layers = as_lists(stored.layers)
            for start, end, paragraph in stored.spans:
                for position in wanted.pop(paragraph, ()):
                    text = manifest.text[segments[position][0] : segments[position][1]]
                    kept = paragraph_layers(layers, start, end)
                    if end - start == len(text) and _forms_fit(kept, text):
                        found[position] = kept
        return found

    def derived(
        self, name: str, inputs: Any, build: Callable[[], T], check: Callable[[Any], T]
    ) -> T:
        """What ``build`` derives from ``inputs`` (JSON), stored as ``<name>.json``.

        Args:
            check: turns a stored payload back into the result, raising ``ValueError``,
                ``TypeError`` or ``KeyError`` where it is not sound (it is then rebuilt).
        """
        key = derived_key(inputs)
        try:
            payload = self.disk.load(name, key)
            if payload is not None:
                return check(payload)
        except CacheError as exc:
            _warn(str(exc))
        except (KeyError, TypeError, ValueError) as exc:
            _warn(f"{self.disk.path(name)}: ignoring the cached {name} ({exc}); rebuilding")
        result = build()
        self._store(name, key, result)
        return result

    def layers_path(self, doc_id: str, key: str) -> Path:
        """Where the layers of ``doc_id`` under ``key`` are stored: the key is in the name, so
        that finding them takes no read."""
        return self.disk.directory / f"{doc_id}.{key[:16]}{_LAYERS_SUFFIX}"

    def _read_or_rebuild(
        self,
        manifest: DocumentManifest,
        segments: Segments,
        key: str,
        rebuild: Callable[[], Segmentation],
    ) -> Segmentation:
        path = self.layers_path(manifest.id, key)
        bounds = ([start for start, _, _ in segments], [end for _, end, _ in segments])
        try:
            layers = read_layers(path, key, text_length=len(manifest.text), paragraphs=bounds)
            if layers is not None:
                return layers
        except CacheError as exc:
            _warn(str(exc))
        layers = rebuild()
        self._store_layers(
            manifest, segments, key, layers, self.layers_files().get(manifest.id, [])
        )
        return layers

    def _store_layers(
        self,
        manifest: DocumentManifest,
        segments: Segments,
        key: str,
        layers: Segmentation,
        earlier: list[Path],
    ) -> None:
        """Store the layers, with the key of each paragraph they were made from, and remove
        the ``earlier`` files of the document's other versions."""
        path = self.layers_path(manifest.id, key)
        text = manifest.text
        paragraphs = [(s, e, paragraph_key(text[s:e], language)) for s, e, language in segments]
        try:
            write_layers(path, key, layers, paragraphs)
        except OSError as exc:
            _warn(str(_unwritable(exc, self.disk.directory)))
            return
        for stale in earlier:
            if stale != path:
                stale.unlink(missing_ok=True)

    def layers_files(self) -> dict[str, list[Path]]:
        """The layers files in the cache, by document (normally one each), from one listing
        of its folder."""
        try:
            names = [entry.name for entry in os.scandir(self.disk.directory)]
        except OSError:  # no cache yet, or none that can be read
            return {}
        found: dict[str, list[Path]] = {}
        for name in sorted(names):
            doc_id, dot, _ = name.removesuffix(_LAYERS_SUFFIX).rpartition(".")
            if name.endswith(_LAYERS_SUFFIX) and dot:
                found.setdefault(doc_id, []).append(self.disk.directory / name)
        return found

    def _store(self, name: str, key: str, payload: Any) -> None:
        try:
            self.disk.store(name, key, payload)
        except CacheError as exc:
            _warn(str(exc))


_LAYERS_SUFFIX = ".layers.arrow"


def _forms_fit(layers: Segmentation, text: str) -> bool:
    """Whether each token's form is the text at its offsets (a check on layers taken from an
    earlier version's file, made for the same text)."""
    spans = zip(layers.token_start, layers.token_end, layers.form, strict=True)
    return all(text[start:end] == form for start, end, form in spans)


_WARNED: set[str] = set()


def _warn(message: str) -> None:
    """Warn about a cache file, once per process for each message."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, stacklevel=5)
