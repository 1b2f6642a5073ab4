"""In a real browser: open the annotation workshop in JupyterLab 4 and in Notebook 7, select a
phrase with the mouse,
press a tag's key, and find exactly that span and tag in the annotator's file.

Runs headless Chromium from Debian (``/usr/bin/chromium``) through Playwright; `.ci/run`
installs it.  Without Chromium the test is skipped with a message saying how to enable it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DOC_ID, PROJECT
from .test_make_lab import _free_port, _isolated_env, _wait_for

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT / "test-artifacts"
NOTEBOOK = "notebooks/07_annotation_workshop.ipynb"
PHRASE = "Sergej W. Lawrow"

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
    jupyter = PROJECT / ".venv" / "bin" / "jupyter"
    if not jupyter.exists():
        pytest.skip("no .venv yet: run `make test`, which creates it")
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT,
        project,
        ignore=shutil.ignore_patterns(".venv", ".git", "annotations", ".cache", "test-artifacts"),
    )
    env = _isolated_env(tmp_path / "home")
    env.pop("CORPUS_TOOLS_ANNOTATIONS", None)
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab" / "user-settings" / "@jupyterlab"
    news = settings / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    command, options, path = FRONT_ENDS[request.param]
    port = _free_port()
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [str(jupyter), command, "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
         *options, f"--ServerApp.root_dir={project}"],
        env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/status", tmp_path / "lab.log")
        yield f"{url}/{path}", project, env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


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


def test_select_with_the_mouse_and_tag_with_a_key(lab: tuple[str, Path, dict[str, str]]) -> None:
    from playwright.sync_api import sync_playwright

    url, project, env = lab
    front_end = "notebook7" if "/notebooks/" in url else "jupyterlab"
    saved = project / "annotations" / "student.jsonl"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
            env=env,
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url)
            page.wait_for_function(_KERNEL_READY, timeout=90_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            annotator = page.locator(".ct-annotator").first
            annotator.wait_for(state="visible", timeout=60_000)
            annotator.scroll_into_view_if_needed()
            page.wait_for_function(
                "(p) => document.querySelector('.ct-annotator .ct-text').textContent.includes(p)",
                arg=PHRASE,
            )
            # Outputs above the annotator (the guidelines) may still be growing: bring the
            # passage into view just before measuring where the phrase is.
            page.locator(".ct-annotator .ct-text").first.scroll_into_view_if_needed()
            box = page.evaluate(_PHRASE_BOX, PHRASE)
            page.mouse.move(box["x1"], box["y1"])
            page.mouse.down()
            page.mouse.move(box["x2"], box["y2"], steps=5)
            page.mouse.up()
            page.keyboard.press("1")  # the shortcut of "actor"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not (saved.exists() and saved.read_text()):
                time.sleep(0.2)
            page.locator(".ct-annotator .ct-status").first.wait_for()
            page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"annotation-widget-{front_end}-failure.png"))
            raise
        finally:
            browser.close()
    events = [json.loads(line) for line in saved.read_text("utf-8").splitlines()]
    assert [event["event"] for event in events] == ["add"]
    annotation = events[0]["annotation"]
    position, quote = annotation["target"]["selector"]
    text = (project / "corpus" / "sources" / f"{DOC_ID}.txt").read_text("utf-8")
    start = text.index(PHRASE)
    assert (position["start"], position["end"]) == (start, start + len(PHRASE))
    assert quote["exact"] == PHRASE
    assert annotation["body"][0]["value"] == "actor"
