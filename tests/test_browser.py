"""In a real browser, on the server `make lab` starts (the student's copy in a temporary folder,
nbgrader's authoring tools off), what a student meets:

* the start notebook opens, and the exercises come without their model answers;
* every notebook of the student's copy runs top to bottom in JupyterLab with no error output and
  every graded check printing its verdict; a screenshot of each is saved for a person to look at.
  They run one after another in one kernel, each from what a new kernel starts from
  (tests/kernel_reset.py: no names, no figures, no widgets; the modules stay imported). nbval
  runs each source notebook, with its model answers, in a kernel of its own;
* in the annotation workshop, in JupyterLab 4 and in Notebook 7: a phrase selected with the mouse
  is tagged by a tag's key; another, selected by keyboard alone (arrows, Shift), is tagged and
  taken back with Ctrl+Z; the student's file holds exactly those events; axe-core finds nothing
  serious in the annotator in the light or the dark theme, and a screenshot of each is saved.

One server and one headless Chromium serve every test here; JupyterLab loads once. Chromium is
Debian's headless shell (``chromium-headless-shell``: the same engine without the desktop
browser, a fifth less work for the machine here), or its full ``chromium``; Playwright drives it.
axe-core comes from npm (``npm ci``). `.ci/run` installs both; without them a test is skipped,
saying how to install what is missing.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import DOC_ID, PROJECT
from .jupyter_server import get, home_folders_env, make_lab
from .kernel_reset import reset_code

CHROMIUM = next(
    (path for path in map(Path, ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium"))
     if path.exists()),
    None,
)  # fmt: skip
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
ARTIFACTS = PROJECT / "test-artifacts"
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
START = "notebooks/00_start_here.ipynb"
WORKSHOP = "notebooks/07_annotation_workshop.ipynb"
PHRASE = "Sergej W. Lawrow"
BY_KEYBOARD = "Juri W. Uschakow"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Lab:
    url: str
    student: Path  # the student's copy the server shows


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """`make lab`, with the app exposed to the page's scripts (JupyterLab and Notebook 7)."""
    root = tmp_path_factory.mktemp("make-lab")
    student = root / "student"
    options = ["--LabApp.expose_app_in_browser=True",
               "--JupyterNotebookApp.expose_app_in_browser=True"]  # fmt: skip
    with make_lab(student, root / "home", options) as url:
        yield Lab(url, student)


@pytest.fixture(scope="module")
def chromium(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's headless Chromium, with the flags this closed network needs and a home of its
    own."""
    if CHROMIUM is None:
        pytest.skip(
            "Chromium is not installed: `apt-get install chromium-headless-shell` to run the "
            "browser test"
        )
    from playwright.sync_api import sync_playwright

    env = home_folders_env(tmp_path_factory.mktemp("chromium-home"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, env=env
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def jupyterlab(lab: Lab, chromium: Any) -> Iterator[Any]:
    """One page with JupyterLab loaded, which opens one notebook after another."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab.url}/lab/tree/{START}?reset")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')",
        timeout=90_000,
    )
    yield page
    page.close()


def test_make_lab_serves_the_start_notebook(lab: Lab) -> None:
    status, body = get(f"{lab.url}/api/contents/{START}?content=0")
    assert status == 200 and '"type": "notebook"' in body
    status, page = get(f"{lab.url}/lab/tree/{START}")
    assert status == 200 and "JupyterLab" in page
    with urllib.request.urlopen(f"{lab.url}/", timeout=5) as landing:  # follows the redirect
        assert landing.geturl() == f"{lab.url}/lab/tree/{START}"
    _, exercise = get(f"{lab.url}/api/contents/notebooks/02_state_department_statement.ipynb")
    assert "# YOUR ANSWER HERE" in exercise and "BEGIN SOLUTION" not in exercise
    assert '\\"p7\\", \\"p8\\"' not in exercise  # the model answer of exercise 1
    with pytest.raises(urllib.error.HTTPError) as refused:  # nbgrader's authoring side is off
        get(f"{lab.url}/formgrader")
    assert refused.value.code == 404
    assert (lab.student / "corpus" / "exercises").is_dir()
    assert not (lab.student / "corpus" / "keys").exists()


def test_every_student_notebook_runs_in_the_browser(lab: Lab, jupyterlab: Any) -> None:
    page = jupyterlab
    names = sorted(p.name for p in (lab.student / "notebooks").glob("*.ipynb"))
    assert len(names) == 8 and "08_instructor_toolkit.ipynb" not in names
    errors: dict[str, list[str]] = {}
    unchecked: dict[str, list[int]] = {}
    reset = reset_code(lab.student / "notebooks")
    kernels: list[str] = []
    try:
        for name, following in zip(names, [*names[1:], None], strict=True):
            _open_alone(page, f"notebooks/{name}")
            page.wait_for_function(_KERNEL_READY, timeout=90_000)
            kernels.append(page.evaluate(_KERNEL_ID))
            failed = page.evaluate(_RUN_IN_THE_KERNEL, reset)
            assert failed is None, f"{name}, before its first cell: {failed}"
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(_DONE, timeout=120_000, polling=100)
            errors[name] = page.evaluate(_ERRORS)
            unchecked[name] = page.evaluate(_CHECKS_WITHOUT_OUTPUT)
            page.screenshot(path=str(ARTIFACTS / f"student-{name.removesuffix('.ipynb')}.png"))
            if following:  # the next notebook opens on this one's kernel, through its session
                page.evaluate(_HAND_ON, f"notebooks/{following}")
    finally:
        page.evaluate(_SHUT_DOWN)  # the workshop's tests start a kernel of their own
    assert len(set(kernels)) == 1, kernels
    assert not any(errors.values()), errors
    assert not any(unchecked.values()), f"checks that printed nothing: {unchecked}"
    assert not (lab.student / "corpus" / "keys").exists()


@pytest.mark.parametrize("front_end", ["jupyterlab", "notebook7"])
def test_tag_by_mouse_and_by_keyboard_in_both_themes(
    front_end: str, lab: Lab, chromium: Any, request: pytest.FixtureRequest
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (Node and npm from Debian) first")
    saved = lab.student / "annotations" / "student.jsonl"
    saved.unlink(missing_ok=True)  # each front end starts the workshop afresh
    first, count = _token_position(lab.student, BY_KEYBOARD)
    page = _workshop(front_end, lab, chromium, request)
    try:
        _theme(page, "JupyterLab Light")
        page.wait_for_function(_KERNEL_READY, timeout=90_000)
        page.evaluate(_RUN_UP_TO_THE_ANNOTATOR)
        annotator = page.locator(".ct-annotator").first
        annotator.wait_for(state="visible", timeout=60_000)
        page.wait_for_function(
            "(p) => document.querySelector('.ct-annotator .ct-text').textContent.includes(p)",
            arg=PHRASE,
        )
        _select_with_the_mouse(page, PHRASE)
        page.keyboard.press("1")  # the shortcut of "actor"
        _wait_for_events(saved, 1)
        # By keyboard alone: focus the annotator, move by word, extend with Shift, tag.
        annotator.focus()
        page.keyboard.press("Home")
        for _ in range(first):
            page.keyboard.press("ArrowRight")
        for _ in range(count - 1):
            page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("1")
        _wait_for_events(saved, 2)
        page.keyboard.press("Control+z")
        _wait_for_events(saved, 3)
        page.locator(".ct-annotator .ct-status").first.wait_for()
        light = _serious(page)
        page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}-light.png"))
        _theme(page, "JupyterLab Dark")
        annotator.scroll_into_view_if_needed()
        dark = _serious(page)
        page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}-dark.png"))
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}-failure.png"))
        raise
    finally:
        _theme(page, "JupyterLab Light")
        page.evaluate(_SHUT_DOWN)
        if front_end == "notebook7":
            page.close()
    assert not light and not dark, {"light": light, "dark": dark}
    _assert_saved(lab.student, saved)


def _workshop(front_end: str, lab: Lab, chromium: Any, request: pytest.FixtureRequest) -> Any:
    """A page showing the annotation workshop: JupyterLab's page, or Notebook 7 in a new one."""
    if front_end == "jupyterlab":
        page = request.getfixturevalue("jupyterlab")
        _open_alone(page, WORKSHOP)
        return page
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab.url}/notebooks/{WORKSHOP}")
    page.wait_for_function(_SHOWN, arg=WORKSHOP, timeout=90_000)
    return page


def _assert_saved(student: Path, saved: Path) -> None:
    """The file holds the two tags and the undo, each on the words selected."""
    events = [json.loads(line) for line in saved.read_text("utf-8").splitlines()]
    assert [event["event"] for event in events] == ["add", "add", "delete"]
    text = (student / "corpus" / "sources" / f"{DOC_ID}.txt").read_text("utf-8")
    for event, phrase in zip(events[:2], (PHRASE, BY_KEYBOARD), strict=True):
        annotation = event["annotation"]
        position, quote = annotation["target"]["selector"]
        start = text.index(phrase)
        assert (position["start"], position["end"]) == (start, start + len(phrase))
        assert quote["exact"] == phrase
        assert annotation["body"][0]["value"] == "actor"
    assert events[2]["id"] == events[1]["annotation"]["id"]  # Ctrl+Z took back the second


_KERNEL_READY = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return Boolean(kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected');
}"""

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

_SHOWN = """(path) => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return Boolean(panel && panel.context && panel.context.path === path);
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

_SHUT_DOWN = """() => {
  // the kernel is asked to stop; the next notebook need not wait until it has
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext) return;  // no notebook open: nothing to stop
  panel.sessionContext.shutdown();
  panel.context.model.dirty = false;  // closing without the "save your work?" dialog
  panel.dispose();
}"""

_OPEN = """async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path});
  app.shell.activateById(widget.id);
}"""

_KERNEL_ID = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id"

_RUN_IN_THE_KERNEL = """async (code) => {
  // null if the code ran, else its error (or that the kernel did not answer in 60 s)
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const late = new Promise((done) => setTimeout(() => done(null), 60_000));
  const reply = await Promise.race([kernel.requestExecute({code, store_history: false}).done,
                                    late]);
  if (reply === null) return 'no answer from the kernel in 60 s';
  return reply.content.status === 'ok' ? null : `${reply.content.ename}: ${reply.content.evalue}`;
}"""

_HAND_ON = """async (path) => {
  // close the notebook, its kernel running on, and give its session to the notebook at path,
  // which then opens on that kernel (as a renamed notebook keeps its kernel)
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const id = panel.sessionContext.session.id;
  panel.context.model.dirty = false;  // closing without the "save your work?" dialog
  panel.dispose();
  const sessions = app.serviceManager.sessions;
  const session = sessions.connectTo({model: await sessions.findById(id)});
  await session.setPath(path);
  session.dispose();
}"""

_RUN_UP_TO_THE_ANNOTATOR = """async () => {
  // the workshop's cells up to the one that opens the student's annotator, not the rest
  const notebook = window.jupyterapp.shell.currentWidget.content;
  const cells = notebook.model.cells;
  let at = 0;
  while (!cells.get(at).sharedModel.source.includes('for_annotator(MY_NAME)')) at += 1;
  notebook.activeCellIndex = at + 1;
  await window.jupyterapp.commands.execute('notebook:run-all-above');
}"""

_PHRASE_BOX = """(phrase) => {
  const container = document.querySelector('.ct-annotator .ct-text');
  for (const run of container.children) {
    const at = run.textContent.indexOf(phrase);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(run.firstChild, at);
    range.setEnd(run.firstChild, at + phrase.length);
    const rects = range.getClientRects();
    const first = rects[0], last = rects[rects.length - 1];
    return {x1: first.left + 1, y1: first.top + first.height / 2,
            x2: last.right - 1, y2: last.top + last.height / 2};
  }
  return null;
}"""

_STEADY_PHRASE_BOX = f"""async (phrase) => {{
  // where the phrase is once the outputs above it are laid out: the same in two frames
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let last = null;
  for (let i = 0; i < 120; i += 1) {{
    await frame();
    const box = ({_PHRASE_BOX})(phrase);
    if (last && JSON.stringify(box) === JSON.stringify(last)) return box;
    last = box;
  }}
  return last;
}}"""

_THEME_IN_FORCE = """(light) => {
  // the theme is named on the page, its stylesheet is in force (its background colour is
  // light or dark as the theme says), and the splash screen a change of theme puts over the
  // page for a moment is gone (axe would find the annotator's colours covered, not wrong)
  if (document.body.dataset.jpThemeLight !== String(light)) return false;
  if (document.getElementById('jupyterlab-splash')) return false;
  const probe = document.createElement('div');
  probe.style.color = 'var(--jp-layout-color0)';
  document.body.appendChild(probe);
  const [red, green, blue] = getComputedStyle(probe).color.match(/[\\d.]+/g).map(Number);
  probe.remove();
  return (red + green + blue > 3 * 127.5) === light;
}"""

_PAINTED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"

_AXE = """async () => {
  const found = await axe.run(document.querySelector('.ct-annotator'));
  return found.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map((n) => n.html.slice(0, 120))}));
}"""


def _open_alone(page: Any, path: str) -> None:
    """Make the notebook at ``path`` the only open one (run-all runs the current one)."""
    page.evaluate(_OPEN, path)
    page.wait_for_function(_SHOWN, arg=path, timeout=90_000)


def _serious(page: Any) -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_AXE)
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def _token_position(student: Path, phrase: str) -> tuple[int, int]:
    """The index in p14 of the phrase's first token, and how many tokens it has."""
    from corpus_tools import load_corpus

    doc = load_corpus(student / "corpus")[DOC_ID]  # the run's layer cache, the kernels' too
    passage = doc.paragraphs["p14"]
    tokens = [t for t in doc.tokens.covered_by(passage.start, passage.end)]
    start = doc.text.index(phrase, passage.start)
    first = next(i for i, t in enumerate(tokens) if t.start == start)
    count = sum(1 for t in tokens if start <= t.start < start + len(phrase))
    return first, count


def _theme(page: Any, theme: str) -> None:
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_function(_THEME_IN_FORCE, arg="Light" in theme)
    page.evaluate(_PAINTED)


def _select_with_the_mouse(page: Any, phrase: str, tries: int = 10) -> None:
    """Drag over ``phrase`` in the passage. The notebook may still be laying out outputs
    above the annotator while it runs, which moves the text: measure again until the browser's
    selection is exactly the phrase."""
    for _ in range(tries):
        page.locator(".ct-annotator .ct-text").first.scroll_into_view_if_needed()
        box = page.evaluate(_STEADY_PHRASE_BOX, phrase)
        page.mouse.move(box["x1"], box["y1"])
        page.mouse.down()
        page.mouse.move(box["x2"], box["y2"], steps=5)
        page.mouse.up()
        if page.evaluate("() => window.getSelection().toString()") == phrase:
            return
    pytest.fail(f"could not select {phrase!r} with the mouse in {tries} tries")


def _wait_for_events(saved: Path, count: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if saved.exists() and len(saved.read_text("utf-8").splitlines()) >= count:
            return
        time.sleep(0.05)
    found = saved.read_text("utf-8") if saved.exists() else "no file"
    pytest.fail(f"expected {count} event(s) in {saved}, found: {found[-500:]}")
