"""Notebooks run one after another in one kernel, each from what a new kernel starts from: the
update test and the browser test run every notebook so (nbval runs each source notebook in a
kernel of its own). Only the modules stay imported, with their caches warm; a notebook that leans
on a name another one made fails."""

from __future__ import annotations

from pathlib import Path

_RESET = """\
get_ipython().reset(new_session=False)  # %reset -f, less its second gc.collect()
__import__("os").chdir({folder!r})
if "matplotlib.pyplot" in __import__("sys").modules:
    __import__("matplotlib.pyplot").pyplot.close("all")
    __import__("matplotlib").rc_file_defaults()
if "ipywidgets" in __import__("sys").modules:
    __import__("ipywidgets").Widget.close_all()
assert not get_ipython().run_line_magic("who_ls", ""), "names left from the last notebook"
"""


def reset_code(folder: Path) -> str:
    """The code to run before each notebook in the kernel they share: the notebook's folder
    (``folder``) as working directory, no names, no figures, matplotlib's default style (the
    inline backend sets none of its own), no widgets."""
    return _RESET.format(folder=str(folder))
