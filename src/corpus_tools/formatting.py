"""How values are written for people: text cut to a width, numbers that may be undefined.

Kept below everything else so that validation messages, tables and figures say things alike.
"""

from __future__ import annotations

__all__ = ["number", "shorten"]


def shorten(text: str, width: int = 40) -> str:
    """``text`` if it has at most ``width`` characters, else its start and an ellipsis."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def number(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals, ``n/a`` where it is undefined (NaN), never ``-0.00``."""
    if value != value:  # NaN is not equal to itself
        return "n/a"
    written = f"{value:.{digits}f}"
    return written[1:] if written.startswith("-") and not written.strip("-0.") else written
