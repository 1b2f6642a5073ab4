"""The project's two dependency lists agree, and the tooling is wired as the README says."""

from __future__ import annotations

import tomllib

import yaml

from .conftest import PROJECT


def _pyproject_requirements() -> set[str]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))["project"]
    return set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])


def _environment_requirements() -> set[str]:
    environment = yaml.safe_load((PROJECT / "environment.yml").read_text("utf-8"))
    pip = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    return {requirement for requirement in pip if not requirement.startswith("-e")}


def test_environment_yml_lists_the_pyproject_dependencies() -> None:
    assert _environment_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_project_itself() -> None:
    environment = yaml.safe_load((PROJECT / "environment.yml").read_text("utf-8"))
    pip = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip


def test_console_command_is_declared() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["scripts"]["corpus-tools"] == "corpus_tools.cli:main"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (PROJECT / ".ci" / "run").read_text("utf-8")
    readme = (PROJECT / "README.md").read_text("utf-8")
    assert "make lab" in readme and "make test" in readme


def test_ci_installs_chromium_for_the_browser_test() -> None:
    script = (PROJECT / ".ci" / "run").read_text("utf-8")
    assert "chromium" in script and "apt-get install" in script


def test_every_error_of_the_package_is_exported_and_is_a_corpus_error() -> None:
    import inspect

    from corpus_tools import errors

    classes = {name for name, value in inspect.getmembers(errors, inspect.isclass)
               if value.__module__ == errors.__name__}  # fmt: skip
    assert set(errors.__all__) == classes
    assert all(issubclass(getattr(errors, name), errors.CorpusError) for name in classes)
