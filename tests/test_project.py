"""The project's two dependency lists agree, and its console command is installed."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
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


def test_the_console_command_is_installed_and_runs() -> None:
    command = Path(sys.executable).with_name("corpus-tools")
    done = subprocess.run([command, "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for verb in ("validate", "export", "release", "score"):
        assert verb in done.stdout


PACKAGE = PROJECT / "src" / "corpus_tools"
TEACHING = {
    "agreement", "exercises", "grading", "nbgrader_course", "release", "simulation", "update",
}  # fmt: skip


def _imported(path: Path) -> set[str]:
    """The package's own modules a file imports (``corpus.units``, ``errors`` ...)."""
    here = path.relative_to(PACKAGE).parent.parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)]
            found.add(".".join([*base, *(node.module or "").split(".")]).strip("."))
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("corpus", {"glossary", "translate", "annotate", "analysis", "display", "figures"}),
        ("glossary", {"translate", "annotate", *TEACHING}),
        ("annotate", {"glossary", "translate", "analysis", *TEACHING}),
        ("translate", {"annotate", *TEACHING}),
    ],
)
def test_data_flows_one_way(folder: str, forbidden: set[str]) -> None:
    for path in (PACKAGE / folder).glob("*.py"):
        for module in _imported(path):
            top = module.split(".")[0]
            assert top not in forbidden | TEACHING, f"{path.name} imports {module}"


@pytest.mark.parametrize("name", ["display", "figures"])
def test_display_and_figures_know_no_teaching_module(name: str) -> None:
    imported = {module.split(".")[0] for module in _imported(PACKAGE / f"{name}.py")}
    assert not imported & TEACHING
