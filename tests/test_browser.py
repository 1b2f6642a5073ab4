"""In a real browser: open the annotation workshop in JupyterLab 4 and in Notebook 7; select a
phrase with the mouse and press a tag's key; select another by keyboard alone (arrows, Shift),
tag it and undo it with Ctrl+Z; find exactly those events in the annotator's file; check the
annotator with axe-core in the light and the dark theme, and save a screenshot of each.

Runs headless Chromium from Debian (``/usr/bin/chromium``) through Playwright and axe-core from
npm (``npm ci``); `.ci/run` installs both.  Without them the test is skipped, saying how to
install what is missing.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import DOC_ID, PROJECT
from .test_make_lab import _free_port, _isolated_env, _running, _wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
JUPYTER = PROJECT / ".venv" / "bin" / "jupyter"
ARTIFACTS = PROJECT / "test-artifacts"
NOTEBOOK = "notebooks/07_annotation_workshop.ipynb"
PHRASE = "Sergej W. Lawrow"
BY_KEYBOARD = "Juri W. Uschakow"
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.slow


FRONT_ENDS = {
    # front end: (command, its options, the notebook's URL path); Notebook 7 takes no news_url
    "jupyterlab": (
        "lab",
        ["--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True"],
        f"lab/tree/{NOTEBOOK}",
    ),
    "notebook7": (
        "notebook",
        ["--JupyterNotebookApp.expose_app_in_browser=True"],
        f"notebooks/{NOTEBOOK}",
    ),
}


@pytest.fixture(params=list(FRONT_ENDS))
def lab(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Path, dict[str, str]]]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: `apt-get install chromium` to run the browser test")
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (Node and npm from Debian) first")
    if not JUPYTER.exists():
        pytest.skip("no .venv yet: run `make test`, which creates it")
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "annotations", ".cache", "test-artifacts", "node_modules", "student"
        ),
    )
    env = _isolated_env(tmp_path / "home")
    env.pop("CORPUS_TOOLS_ANNOTATIONS", None)
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab" / "user-settings" / "@jupyterlab"
    news = settings / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    command, options, path = FRONT_ENDS[request.param]
    with serving(command, project, options, env=env, log=tmp_path / "lab.log") as url:
        yield f"{url}/{path}", project, env


@contextmanager
def serving(
    command: str, root: Path, options: list[str], *, env: dict[str, str], log: Path
) -> Iterator[str]:
    """A Jupyter server (``lab`` or ``notebook``) on ``root``, headless, on a free loopback
    port without a token; its URL once it answers."""
    port = _free_port()
    argv = [str(JUPYTER), command, "--no-browser", "--allow-root", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
            *options, f"--ServerApp.root_dir={root}"]  # fmt: skip
    with _running(argv, env=env, log=log):
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/api/status", log)
        yield url


def launch_chromium(playwright: object, env: dict[str, str] | None = None) -> object:
    """Debian's headless Chromium, with the flags this closed network needs."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, env=env)


_KERNEL_READY = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return Boolean(kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected');
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


_AXE = """async () => {
  const found = await axe.run(document.querySelector('.ct-annotator'));
  return found.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map((n) => n.html.slice(0, 120))}));
}"""


def _serious(page: object) -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_AXE)
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def _token_position(project: Path, phrase: str) -> tuple[int, int]:
    """The index in p14 of the phrase's first token, and how many tokens it has."""
    from corpus_tools import load_corpus

    doc = load_corpus(project / "corpus", cache_dir=project / "corpus" / ".cache")[DOC_ID]
    passage = doc.paragraphs["p14"]
    tokens = [t for t in doc.tokens.covered_by(passage.start, passage.end)]
    start = doc.text.index(phrase, passage.start)
    first = next(i for i, t in enumerate(tokens) if t.start == start)
    count = sum(1 for t in tokens if start <= t.start < start + len(phrase))
    return first, count


def _dark(page: object) -> None:
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)  # the theme's stylesheet settles


def test_tag_by_mouse_and_by_keyboard_in_both_themes(lab: tuple[str, Path, dict[str, str]]) -> None:
    from playwright.sync_api import sync_playwright

    url, project, env = lab
    front_end = "jupyterlab" if "/lab/tree/" in url else "notebook7"
    saved = project / "annotations" / "student.jsonl"
    first, count = _token_position(project, BY_KEYBOARD)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, env)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url)
            page.wait_for_function(_KERNEL_READY, timeout=90_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
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
            _dark(page)
            annotator.scroll_into_view_if_needed()
            dark = _serious(page)
            page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}-dark.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}-failure.png"))
            raise
        finally:
            browser.close()
    assert not light and not dark, {"light": light, "dark": dark}
    events = [json.loads(line) for line in saved.read_text("utf-8").splitlines()]
    assert [event["event"] for event in events] == ["add", "add", "delete"]
    text = (project / "corpus" / "sources" / f"{DOC_ID}.txt").read_text("utf-8")
    for event, phrase in zip(events[:2], (PHRASE, BY_KEYBOARD), strict=True):
        annotation = event["annotation"]
        position, quote = annotation["target"]["selector"]
        start = text.index(phrase)
        assert (position["start"], position["end"]) == (start, start + len(phrase))
        assert quote["exact"] == phrase
        assert annotation["body"][0]["value"] == "actor"
    assert events[2]["id"] == events[1]["annotation"]["id"]  # Ctrl+Z took back the second


def _select_with_the_mouse(page: object, phrase: str, tries: int = 5) -> None:
    """Drag over ``phrase`` in the passage. The notebook may still be laying out outputs
    above the annotator while it runs, which moves the text: measure again until the browser's
    selection is exactly the phrase."""
    for _ in range(tries):
        page.locator(".ct-annotator .ct-text").first.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = page.evaluate(_PHRASE_BOX, phrase)
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
        time.sleep(0.2)
    found = saved.read_text("utf-8") if saved.exists() else "no file"
    pytest.fail(f"expected {count} event(s) in {saved}, found: {found[-500:]}")
