"""HTML into heading, text and table blocks (selectolax's lexbor parser: fast,
tolerant of broken markup)."""

from __future__ import annotations

import html as html_escapes
import re
from bisect import bisect_left
from dataclasses import replace

from rag.errors import InputError
from rag.tables.model import as_at_in, flatten, unit_in
from rag.tables.parse import CAPTION_LINE, html_grid
from rag.text.sentences import BULLET
from rag.types import Block

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SKIP = {"script", "style", "noscript", "template", "nav", "footer", "svg", "head", "button", "select"}
# Elements that end the running paragraph; anything else is inline text.
_BLOCKS = {
    "p", "div", "section", "article", "main", "body", "aside", "header", "li", "ul", "ol", "dl", "dt", "dd",
    "pre", "blockquote", "figure", "figcaption", "address", "details", "summary", "hr", "center", "fieldset",
    "caption", "tr", "td", "th", "tbody", "thead",
}
# Real pages nest a few dozen elements; below this depth only the text is kept, so
# a page nested 100,000 deep costs one pass over its text, not a pass per level.
MAX_DEPTH = 128
# What a <br> leaves in a paragraph's text until it is cleaned into a newline (a line
# separator, so a newline of the page's source, which browsers ignore, stays apart).
_LINE_BREAK = "\u2028"
# The parser's time grows with the square of the nesting depth: 25,000 levels take
# ~2 s, 50,000 ~9 s, and a 64 MB file could nest millions deep.
MAX_PARSE_DEPTH = 10_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# Void elements, and those the parser closes by itself, do not deepen the tree.
_FLAT = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "p", "li",
    "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "thead", "tbody", "tfoot", "colgroup", "caption",
}
_WORD = re.compile(r"\w[^\s|]*")
_HAS_BLOCKS = ", ".join(sorted(_BLOCKS | set(_HEADINGS) | {"table"}))


def html_blocks(text: str) -> tuple[str, list[Block]]:
    from selectolax.lexbor import LexborHTMLParser

    depth = _nesting(text)
    if depth > MAX_PARSE_DEPTH:
        raise InputError(f"elements nest about {depth:,} deep, above the limit of {MAX_PARSE_DEPTH:,} "
                         "(parsing time grows with the square of the depth); leave it out or flatten it")
    tree = LexborHTMLParser(text)
    title_node = tree.css_first("title")
    title = _clean(title_node.text()) if title_node else ""
    for tag in _SKIP:
        for node in tree.css(tag):
            node.decompose()
    root = tree.body or tree.root
    blocks: list[Block] = []
    if root is not None:
        _walk(root, blocks)
    return title, _with_lines(blocks, text)


def _nesting(text: str) -> int:
    """The deepest nesting the tags describe (an upper estimate), stopping once past the limit."""
    depth = deepest = 0
    for match in _TAG.finditer(text):
        if match.group(2).lower() in _FLAT:
            continue
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_PARSE_DEPTH:
                break
    return deepest


def _with_lines(blocks: list[Block], source: str) -> list[Block]:
    """Each block's line range in the HTML source, found by its first and last words,
    so a passage can be opened where it stands."""
    plain = html_escapes.unescape(source)
    newlines = [m.start() for m in re.finditer("\n", plain)]
    cursor, out = 0, []
    for block in blocks:
        words = _WORD.findall(block.text)
        first = plain.find(words[0], cursor) if words else -1
        last = plain.find(words[-1], first + len(words[0])) if first >= 0 and len(words) > 1 else first
        if first < 0 or last < 0:
            out.append(block)
            continue
        rows = _row_offsets(plain, block.rows, first) if block.kind == "table" else []
        cursor = max([last, *rows])
        out.append(
            replace(
                block,
                line_start=_line_of(newlines, first),
                line_end=_line_of(newlines, cursor),
                row_lines=tuple(_line_of(newlines, r) for r in rows) if rows and len(rows) == len(block.rows) else (),
            )
        )
    return out


def _row_offsets(plain: str, rows: tuple[tuple[str, ...], ...], start: int) -> list[int]:
    offsets, cursor = [], start
    for row in rows:
        words = _WORD.findall(" ".join(row))
        found = plain.find(words[0], cursor) if words else -1
        if found < 0:
            return []
        offsets.append(found)
        cursor = found + len(words[0])
    return offsets


def _line_of(newlines: list[int], offset: int) -> int:
    return bisect_left(newlines, offset) + 1


def _walk(root, blocks: list[Block]) -> None:
    """Headings and tables become their own blocks; text between block elements
    (including loose text beside them) becomes a paragraph. A stack, not recursion:
    hostile pages nest thousands of elements deep."""
    stack = [(root.iter(include_text=True), [])]
    while stack:
        children, run = stack[-1]
        child = next(children, None)
        if child is None:
            _flush(run, blocks)
            stack.pop()
            continue
        tag = child.tag
        if len(stack) > MAX_DEPTH and not child.is_comment_node:
            run.append(" " + child.text(deep=True, separator=" "))  # deeper structure is flattened to its text
            continue
        if child.is_text_node or tag == "br" or (tag not in _BLOCKS and not _contains_blocks(child)):
            run.append(_LINE_BREAK if tag == "br" else child.text(deep=True, separator=""))
            continue
        _flush(run, blocks)
        if tag in _HEADINGS:
            blocks.append(Block("heading", _clean(child.text(separator=" ")), level=_HEADINGS[tag]))
        elif tag == "table":
            blocks.extend(_table(child, _caption_before(blocks)))
        elif not child.is_comment_node:
            # A list item keeps a bullet, as a text file's list does: it is read with the
            # line that introduces the list, and a short one is not taken for a heading.
            stack.append((child.iter(include_text=True), [BULLET] if tag == "li" else []))


def _contains_blocks(node) -> bool:
    return not node.is_text_node and not node.is_comment_node and node.css_first(_HAS_BLOCKS) is not None


def _flush(run: list[str], blocks: list[Block]) -> None:
    text = _clean("".join(run))
    if text and text != BULLET.strip():
        blocks.append(Block("text", text))
    run.clear()


def _caption_before(blocks: list[Block]) -> str:
    """A "Table 3: ..." paragraph right above a table without a <caption> names it."""
    if blocks and blocks[-1].kind == "text" and CAPTION_LINE.match(blocks[-1].text):
        return blocks.pop().text
    return ""


def _table(node, caption_above: str = "") -> list[Block]:
    header_rows, rows, caption = html_grid(node)
    if not rows and not header_rows:
        return []
    caption = caption or caption_above
    blocks = [Block("caption", caption)] if caption else []
    header = flatten(header_rows, max(len(r) for r in (*header_rows, *rows)))
    raw = "\n".join(" | ".join(r) for r in (*header_rows, *rows))
    return blocks + [
        Block("table", raw, header=header, rows=rows, caption=caption, header_rows=header_rows, unit=unit_in(caption), as_at=as_at_in(caption))
    ]




def _clean(text: str) -> str:
    """Whitespace collapsed, as a browser shows it; a <br> stays a line break."""
    return "\n".join(" ".join(line.split()) for line in text.split(_LINE_BREAK) if line.split())
