"""Keyword search with bm25s and the Snowball English stemmer, stored beside FAISS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Digit groups are joined first ("9 131" -> "9131") so a number written with
# spaces matches the same number written plainly or with commas.
_DIGIT_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f,](?=\d{3}\b)")
_TOKEN = re.compile(r"(?u)\b\w+\b")
_STOPWORDS = "en"


def normalise_for_bm25(text: str) -> str:
    return _DIGIT_GROUPS.sub("", text)


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def _tokenize(texts: list[str], stemmer, show_progress: bool = False):
    import bm25s

    return bm25s.tokenize(
        [normalise_for_bm25(t) for t in texts],
        lower=True,
        stopwords=_STOPWORDS,
        stemmer=stemmer,
        token_pattern=_TOKEN.pattern,
        show_progress=show_progress,
    )


class BM25Index:
    def __init__(self, model, stemmer) -> None:
        self.model, self.stemmer = model, stemmer

    @classmethod
    def build(cls, texts: list[str]) -> BM25Index:
        import bm25s

        stemmer = _stemmer()
        model = bm25s.BM25()
        model.index(_tokenize(texts, stemmer), show_progress=False)
        return cls(model, stemmer)

    def save(self, folder: Path) -> None:
        self.model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        import bm25s

        return cls(bm25s.BM25.load(str(folder)), _stemmer())

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers and scores, best first; empty when no query word is indexed."""
        import numpy as np

        tokens = _tokenize([query], self.stemmer)
        if not tokens.ids or not tokens.ids[0]:
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32")
        k = min(k, self.model.scores["num_docs"])
        docs, scores = self.model.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        docs, scores = docs[0], scores[0]
        keep = scores > 0
        return docs[keep].astype("int64"), scores[keep].astype("float32")
