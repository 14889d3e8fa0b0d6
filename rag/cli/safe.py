"""Untrusted text made safe for a terminal: the one gate every printed string passes.

Documents, file names, model output and error messages can hold escape sequences
(ESC ] 0 ; title BEL, ESC [ 2 J, OSC 8 links), C1 controls, bidi overrides and
invisible characters. Printed raw they retitle, clear or redraw the terminal, or
make text read differently from what it says. Controls and bidi overrides are
shown escaped (ESC becomes the four characters \\x1b) so tampering stays visible;
invisible format characters, which carry no meaning on screen, are removed.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 (but tab and newline), DEL, C1, lone surrogates, line and paragraph separators,
# and the bidi embeddings, overrides and isolates: shown as escapes.
_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The other Unicode format characters (category Cf but the soft hyphen): zero-width
# spaces and joiners, direction marks, word joiners, BOMs, tag characters; dropped.
_DROPPED = re.compile(
    "[\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2060-\u2065\u206a-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def printable(text: str, oneline: bool = False) -> str:
    """`text` with nothing a terminal would act on; `oneline` also escapes newlines
    (for names, titles and error lines that must not start a fake line of their own)."""
    text = _DROPPED.sub("", str(text))
    text = _ESCAPED.sub(_escape, text)
    return text.replace("\n", "\\n") if oneline else text


def plain(text: str, style: str = "", oneline: bool = False) -> Text:
    """printable() as a Rich Text: shown as written, never read as markup or emoji codes."""
    return Text(printable(text, oneline), style=style)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
