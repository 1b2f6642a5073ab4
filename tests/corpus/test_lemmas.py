"""The lemmatizer: simplemma's lemmas, from dictionaries kept decoded on disk and built once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import simplemma

from corpus_tools import Corpus
from corpus_tools.corpus import lemmas
from corpus_tools.corpus.lemmas import lemmatize

# A process that waits for `go`, lemmatizes one word and notes in `builds` each time simplemma
# decodes a shipped dictionary (which building a trie file needs, and opening one does not).
_WORKER = """
import sys, time
from pathlib import Path
from simplemma.strategies.dictionaries import trie_dictionary_factory as tries
from corpus_tools.corpus.lemmas import lemmatize

folder = Path(sys.argv[1])
decode = tries._load_dictionary_from_disk
def noting(lang):
    with open(folder / "builds", "a") as builds:
        builds.write(lang + "\\n")
    return decode(lang)
tries._load_dictionary_from_disk = noting
while not (folder / "go").exists():
    time.sleep(0.01)
print(lemmatize(sys.argv[2], sys.argv[3]))
"""


def test_every_word_of_the_corpus_has_simplemmas_own_lemma(corpus: Corpus) -> None:
    tokens = corpus.frame("tokens")
    words = tokens.loc[tokens.token_class.isin(["regular", "abbreviation"]), ["text", "language"]]
    pairs = sorted(set(words.itertuples(index=False, name=None)))
    assert {language for _, language in pairs} == {"de", "en"}
    assert len(pairs) > 400
    differing = [
        (word, language)
        for word, language in pairs
        if lemmatize(word, language) != simplemma.lemmatize(word, lang=language)
    ]
    assert differing == []


def test_processes_started_together_build_a_dictionary_once_then_open_it(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-c", _WORKER, str(tmp_path)]
    together = [
        subprocess.Popen([*command, "wars", "en"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    (tmp_path / "go").touch()
    assert [process.communicate(timeout=120)[0] for process in together] == ["war\n"] * 3
    assert (tmp_path / "builds").read_text() == "en\n"

    later = subprocess.run([*command, "talks", "en"], env=env, capture_output=True, text=True)
    assert later.stdout == "talk\n"
    assert (tmp_path / "builds").read_text() == "en\n"
    folder = tmp_path / "cache" / "simplemma" / "marisa_trie" / simplemma.__version__
    assert (folder / "en.dic").is_file() and not (folder / "de.dic").exists()


def test_where_the_cache_cannot_be_written_the_lemmas_come_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setattr(lemmas, "trie_folder", lambda: blocked / "simplemma")
    monkeypatch.setattr(lemmas, "lemmatize", lemmas.lemmatize.__wrapped__)
    lemmas._lemmatizer.cache_clear()
    try:
        assert lemmas.lemmatize("Gesprächen", "de") == "Gespräch"
        assert lemmas._lemmatizer().lemmatize("Verhandlungen", lang="de") == "Verhandlung"
    finally:
        lemmas._lemmatizer.cache_clear()
    assert blocked.read_text() == ""


def test_a_dictionary_file_cut_short_is_built_again(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-c", _WORKER, str(tmp_path), "talks", "en"]
    (tmp_path / "go").touch()
    assert subprocess.run(command, env=env, capture_output=True, text=True).stdout == "talk\n"
    folder = tmp_path / "cache" / "simplemma" / "marisa_trie" / simplemma.__version__
    whole = (folder / "en.dic").read_bytes()
    (folder / "en.dic").write_bytes(whole[: len(whole) // 3])  # as a killed writer leaves it

    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert again.stdout == "talk\n"
    assert (folder / "en.dic").read_bytes() == whole
    assert (tmp_path / "builds").read_text() == "en\nen\n"
