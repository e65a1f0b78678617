"""Terminal styling and printing without click, byte for byte as click does them (click
costs a quarter of a one-file run's start-up). style() is what the text report uses;
echo() and unstyle() serve entry.py's click-free `check` on POSIX text streams."""

from __future__ import annotations

import re
import sys

_COLORS = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}
_RESET = "\033[0m"
# click 8.2's pattern (8.1's matches a subset of it); compiled on first use (re caches it)
_ANSI = r"\033\[[0-?]*[ -/]*[@-~]"


def style(text: str, fg: str | None = None, bold: bool | None = None) -> str:
    """click.style(text, fg=fg, bold=bold) for the basic colours."""
    bits = []
    if fg is not None:
        bits.append(f"\033[{_COLORS[fg]}m")
    if bold is not None:
        bits.append(f"\033[{1 if bold else 22}m")
    return "".join(bits) + text + _RESET


def unstyle(text: str) -> str:
    return re.sub(_ANSI, "", text)


def echo(message: str, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """click.echo for a str on a POSIX text stream click would not re-wrap: styles are
    stripped unless the stream is a terminal (or color says otherwise), then it is flushed."""
    stream = sys.stderr if err else sys.stdout
    if nl:
        message += "\n"
    if message:
        if color is False or (color is None and not _isatty(stream)):
            message = unstyle(message)
        stream.write(message)
    stream.flush()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:  # as click does: a stream that cannot tell is not a terminal
        return False
