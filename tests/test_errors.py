"""One exception hierarchy: every error class is exported and is a CorpusError."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from corpus_tools import errors


def test_every_error_of_the_package_is_exported_and_is_a_corpus_error() -> None:
    classes = {name for name, value in inspect.getmembers(errors, inspect.isclass)
               if value.__module__ == errors.__name__}  # fmt: skip
    assert set(errors.__all__) - {"show_briefly_in_notebooks"} == classes
    assert all(issubclass(getattr(errors, name), errors.CorpusError) for name in classes)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    settings = Config()
    settings.HistoryManager.enabled = False  # no history database to share with the kernels
    shell = InteractiveShell.instance(config=settings)
    yield shell
    InteractiveShell.clear_instance()


def test_in_ipython_a_corpus_error_is_its_message_alone(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    errors.show_briefly_in_notebooks()
    errors.show_briefly_in_notebooks()  # a second import changes nothing
    assert shell.custom_exceptions == (errors.CorpusError,)
    cell = "from corpus_tools.errors import TagSetError\nraise TagSetError('no label', "
    result = shell.run_cell(cell + "path='tagsets/x.yaml', line=3)")
    assert isinstance(result.error_in_exec, errors.TagSetError)
    assert capsys.readouterr().out.splitlines() == [
        "\x1b[0;31mTagSetError\x1b[0m: tagsets/x.yaml:3: no label"
    ]
    shell.run_cell("%tb")  # the whole traceback is still there when asked for
    assert "Traceback" in capsys.readouterr().out
    shell.run_cell("1 / 0")  # any other error keeps its traceback
    assert "ZeroDivisionError" in capsys.readouterr().out
