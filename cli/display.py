"""Text from a corpus, made safe for the terminal.

Document ids, titles, outlets and snippets come from files prov did not write. Printed raw,
an ESC sequence in an id can clear the screen, recolour or retitle the terminal, or hide what
follows; a bidi override can reorder a line; and a ``[/bold]`` in an id is rich markup that
stops the command with a MarkupError. Every table and line that shows such text passes it
through ``cell`` (a table cell) or ``inline`` (inside a markup string).
"""

from __future__ import annotations

import re

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
