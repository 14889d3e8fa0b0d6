"""HTML into heading, text and table blocks (selectolax: fast, tolerant of broken markup)."""

from __future__ import annotations

from rag.types import Block

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_TEXT_TAGS = {"p", "li", "pre", "blockquote", "dt", "dd", "figcaption", "caption", "td"}
_SKIP = {"script", "style", "noscript", "template", "nav", "footer", "header", "svg"}


def html_blocks(text: str) -> tuple[str, list[Block]]:
    from selectolax.parser import HTMLParser

    tree = HTMLParser(text)
    for tag in _SKIP:
        for node in tree.css(tag):
            node.decompose()
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    root = tree.body or tree.root
    blocks: list[Block] = []
    if root is not None:
        _walk(root, blocks)
    if not blocks and root is not None:
        plain = root.text(separator="\n", strip=True)
        blocks = [Block("text", line) for line in plain.splitlines() if line.strip()]
    return title, blocks


def _walk(node, blocks: list[Block]) -> None:
    for child in node.iter(include_text=False):
        tag = child.tag
        if tag in _HEADINGS:
            blocks.append(Block("heading", _clean(child.text(separator=" ")), level=_HEADINGS[tag]))
        elif tag == "table":
            blocks.append(_table(child))
        elif tag in _TEXT_TAGS:
            text = _clean(child.text(separator=" "))
            if text:
                blocks.append(Block("text", text))
        else:
            _walk(child, blocks)
            if tag in ("div", "section", "article", "main", "body") and not child.css_first("p, h1, h2, h3, h4, h5, h6, li, table, pre"):
                text = _clean(child.text(separator=" "))
                if text:
                    blocks.append(Block("text", text))


def _table(node) -> Block:
    rows = []
    for tr in node.css("tr"):
        cells = [_clean(c.text(separator=" ")) for c in tr.iter(include_text=False) if c.tag in ("td", "th")]
        if any(cells):
            rows.append(tuple(cells))
    header = rows[0] if rows else ()
    raw = "\n".join(" | ".join(r) for r in rows)
    return Block("table", raw, header=tuple(header), rows=tuple(rows[1:]))


def _clean(text: str) -> str:
    return " ".join(text.split())
