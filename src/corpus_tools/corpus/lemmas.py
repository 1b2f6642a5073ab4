"""Lemmas from simplemma, with its dictionaries kept decoded on disk.

simplemma ships each language's dictionary compressed, and decoding the German one takes about
a second in every new process: every notebook kernel that meets a word the layer cache lacks (a
KWIC query, a student's translation) paid it again.  simplemma's own trie backend (marisa-trie)
keeps each decoded dictionary as a file in the user's cache, one per language and simplemma
version, which later processes open in a millisecond.  The lemmas are the ones simplemma's
default dictionaries give.

The first process to need a language builds its file under a lock, so kernels started together
build it once and none opens a file another is still writing (a file cut short, by a writer
killed mid-way, simplemma builds again).  Where the cache cannot be written, or marisa-trie is
not installed, simplemma's in-memory dictionaries are used as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["lemmatize", "trie_folder"]


@cache
def lemmatize(word: str, language: str) -> str:
    """simplemma's lemma of ``word`` in ``language`` (an ISO 639-1 code such as ``"de"``)."""
    return _lemmatizer().lemmatize(word, lang=language)


def trie_folder() -> Path:
    """Where the decoded dictionaries are kept: simplemma's own place in the user's cache."""
    import simplemma
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("simplemma")) / "marisa_trie" / simplemma.__version__


@cache
def _lemmatizer() -> Any:
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    strategy = DefaultStrategy(dictionary_factory=_LockedTries(trie_folder()))
    return Lemmatizer(lemmatization_strategy=strategy)


class _LockedTries:
    """simplemma's ``TrieDictionaryFactory``, asked for each language once, under a file lock
    in its folder (a ``DictionaryFactory``)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._opened: dict[str, Mapping[str, str]] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if (dictionary := self._opened.get(lang)) is None:
            dictionary = self._opened[lang] = self._open(lang)
        return dictionary

    def _open(self, lang: str) -> Mapping[str, str]:
        from filelock import FileLock
        from simplemma.strategies.dictionaries import (
            DEFAULT_DICTIONARY_FACTORY,
            TrieDictionaryFactory,
        )

        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            with FileLock(self._folder / f"{lang}.lock", timeout=120):  # Timeout is an OSError
                tries = TrieDictionaryFactory(cache_max_size=1, disk_cache_dir=str(self._folder))
                return tries.get_dictionary(lang)
        except (OSError, ImportError):  # ImportError: an environment without marisa-trie
            return DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)
