"""Text from a corpus, made safe for the terminal.

Document ids, titles, outlets and snippets come from files prov did not write. Printed raw,
an ESC sequence in an id can clear the screen, recolour or retitle the terminal, or hide what
follows; a bidi override can reorder a line; and a ``[/bold]`` in an id is rich markup that
stops the command with a MarkupError. Every table and line that shows such text passes it
through ``cell`` (a table cell) or ``inline`` (inside a markup string), or is laid out by
``flow`` (parts such as ids, never split or cut) or ``clip`` (a snippet on at most two lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len, chop_cells
from rich.markup import escape
from rich.text import Text

# C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), the bidi marks,
# embeddings, overrides and isolates, and the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: object) -> str:
    """``str(text)`` with every control character shown as an escape, as Python writes it
    (ESC as ``\\x1b``, NUL as ``\\x00``, a tab as ``\\t``, U+202E as ``\\u202e``).

    Takes any value; returns a string holding no C0 or C1 control character, DEL, bidi
    control, or line or paragraph separator. Everything else, backslashes included, is kept.
    """
    return _UNSAFE.sub(_escape, str(text))


def cell(text: object) -> Text:
    """A table cell showing ``text`` as it is: control characters escaped, no markup applied."""
    return Text(printable(text))


def inline(text: object) -> str:
    """``text`` to interpolate into a rich markup string: control characters and markup escaped."""
    return escape(printable(text))


def _pack(parts: list[str], first: int, rest: int, sep: str) -> list[list[str]]:
    """``parts`` in order, as many on each line as fit joined by ``sep``: ``first`` cells on
    the first line, ``rest`` on the others."""
    lines: list[list[str]] = []
    used = 0
    for part in parts:
        size = cell_len(part)
        if lines and used + len(sep) + size <= (rest if len(lines) > 1 else first):
            lines[-1].append(part)
            used += len(sep) + size
        else:
            lines.append([part])
            used = size
    return lines


def flow(parts: Sequence[object], width: int, indent: int = 0, hang: int | None = None, sep: str = " ") -> list[str]:
    """``parts`` (escaped with ``printable``) laid out in lines of at most ``width`` cells, the
    first starting with ``indent`` spaces and the others with ``hang`` (default ``indent``),
    lines broken only between parts: a part never splits, so one wider than the line stands alone
    on its own line (the terminal wraps it; a pipe keeps it whole).

    Returns the lines, without a newline.
    """
    hang = indent if hang is None else hang
    lines = _pack([printable(part) for part in parts], max(width - indent, 1), max(width - hang, 1), sep)
    return [" " * (hang if i else indent) + sep.join(line) for i, line in enumerate(lines)]


def clip(text: str, width: int, indent: int = 0, lines: int = 2) -> list[str]:
    """``text`` as at most ``lines`` lines of at most ``width`` cells, each starting with
    ``indent`` spaces: whitespace runs made one space, control characters escaped, broken on word
    boundaries (a word wider than a line is cut into pieces) and, when it does not fit, cut after
    a word with `` …``.

    Returns the lines, without a newline; none when ``text`` holds only whitespace.
    """
    room = max(width - indent, 3)
    words = [piece for word in printable(" ".join(text.split())).split(" ") if word for piece in chop_cells(word, room)]
    packed = _pack(words, room, room, " ")
    if len(packed) > lines:
        packed = packed[:lines]
        last = packed[-1]
        while len(last) > 1 and cell_len(" ".join(last)) + 2 > room:
            last.pop()
        if cell_len(last[0]) + 2 > room:  # one word as wide as the line
            last[0] = chop_cells(last[0], room - 2)[0]
        last.append("…")
    return [" " * indent + " ".join(line) for line in packed]
