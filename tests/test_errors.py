"""One exception hierarchy: every error class is exported and is a CorpusError."""

from __future__ import annotations

import inspect

from corpus_tools import errors


def test_every_error_of_the_package_is_exported_and_is_a_corpus_error() -> None:
    classes = {name for name, value in inspect.getmembers(errors, inspect.isclass)
               if value.__module__ == errors.__name__}  # fmt: skip
    assert set(errors.__all__) == classes
    assert all(issubclass(getattr(errors, name), errors.CorpusError) for name in classes)
