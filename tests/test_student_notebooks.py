"""In a real browser, as a student meets them: every notebook of the student's copy (what
`make lab` opens, with nbgrader's authoring tools off) runs top to bottom in JupyterLab with no
error output and every graded check printing its verdict; a screenshot of each is saved for a
person to look at.  JupyterLab loads once; each notebook is opened alone and its kernel shut
down after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus_tools.student_copy import sync_student_copy

from .conftest import CORPUS, PROJECT
from .test_browser import _KERNEL_READY, ARTIFACTS, CHROMIUM, JUPYTER, launch_chromium, serving
from .test_make_lab import _isolated_env

pytestmark = pytest.mark.slow

_DONE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i += 1) {
    const cell = cells.get(i);
    if (cell.type === 'code' && cell.sharedModel.source.trim() && cell.executionCount === null) {
      return false;
    }
  }
  return Boolean(kernel && kernel.status === 'idle');
}"""

_SHOWN = """(name) => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return Boolean(panel && panel.context && panel.context.path.endsWith(name));
}"""

_ERRORS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const found = [];
  for (let i = 0; i < cells.length; i += 1) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (const output of cell.toJSON().outputs || []) {
      if (output.output_type !== 'error') continue;
      found.push(`cell ${i + 1}: ${output.ename}: ${output.evalue}`);
    }
  }
  return found;
}"""


_CHECKS_WITHOUT_OUTPUT = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const silent = [];
  for (let i = 0; i < cells.length; i += 1) {
    const cell = cells.get(i).toJSON();
    const graded = cell.metadata.nbgrader && cell.metadata.nbgrader.grade;
    if (cell.cell_type === 'code' && graded && !(cell.outputs || []).length) silent.push(i + 1);
  }
  return silent;
}"""

_SHUT_DOWN = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.shutdown();
  panel.context.model.dirty = false;  // closing without the "save your work?" dialog
  panel.dispose();
}"""


_OPEN = """async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path});
  app.shell.activateById(widget.id);
}"""


def _open_alone(page: Any, name: str) -> None:
    """Make ``name`` the only open notebook (run-all runs the current one)."""
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')",
        timeout=90_000,
    )
    page.evaluate(_OPEN, f"notebooks/{name}")
    page.wait_for_function(_SHOWN, arg=name, timeout=90_000)


@pytest.fixture
def student_lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: `apt-get install chromium` to run the browser test")
    if not JUPYTER.exists():
        pytest.skip("no .venv yet: run `make test`, which creates it")
    student = tmp_path / "student"
    sync_student_copy(student, notebooks=PROJECT / "notebooks", corpus=CORPUS)
    env = _isolated_env(tmp_path / "home")
    env.pop("CORPUS_TOOLS_ANNOTATIONS", None)  # the student's copy keeps its own annotations
    env["JUPYTER_CONFIG_PATH"] = str(PROJECT / "lab-config" / "student")
    options = [
        "--LabApp.news_url=None",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.app_settings_dir={PROJECT / 'lab-config' / 'student' / 'settings'}",
    ]
    with serving("lab", student, options, env=env, log=tmp_path / "lab.log") as url:
        yield url, student


def test_every_student_notebook_runs_in_the_browser(student_lab: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    url, student = student_lab
    names = sorted(p.name for p in (student / "notebooks").glob("*.ipynb"))
    assert len(names) == 8 and "08_instructor_toolkit.ipynb" not in names
    errors: dict[str, list[str]] = {}
    unchecked: dict[str, list[int]] = {}
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}/lab/tree/notebooks/{names[0]}?reset")  # JupyterLab loads once
            for name in names:
                _open_alone(page, name)
                page.wait_for_function(_KERNEL_READY, timeout=90_000)
                page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(_DONE, timeout=120_000, polling=100)
                errors[name] = page.evaluate(_ERRORS)
                unchecked[name] = page.evaluate(_CHECKS_WITHOUT_OUTPUT)
                page.screenshot(path=str(ARTIFACTS / f"student-{name.removesuffix('.ipynb')}.png"))
                page.evaluate(_SHUT_DOWN)
        finally:
            browser.close()
    assert not any(errors.values()), errors
    assert not any(unchecked.values()), f"checks that printed nothing: {unchecked}"
    assert not (student / "corpus" / "keys").exists()
