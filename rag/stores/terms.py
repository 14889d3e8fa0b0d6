"""BM25 terms for a store that scores text itself (Milvus): the local index's tokens
(lower case, stopwords out, Snowball stems), written so any word tokenizer splits
them back unchanged, so both backends rank by the same terms."""

from __future__ import annotations

import hashlib
import re
from functools import cache

_PLAIN = re.compile(r"[a-z0-9]+")


@cache
def _tokenizer():
    from rag.bm25 import Tokenizer

    return Tokenizer()


def bm25_terms(text: str) -> str:
    return " ".join(_term(t) for t in _tokenizer()(text))


def _term(token: str) -> str:
    """ASCII letters and digits as they are; any other token (accents, scripts, "_") as
    "u_" and a hash: tokenizers split or fold those differently, and a plain token has no "_"."""
    if _PLAIN.fullmatch(token):
        return token
    return "u_" + hashlib.blake2b(token.encode("utf-8"), digest_size=8).hexdigest()
