"""Keyword search with bm25s and the Snowball English stemmer, stored beside FAISS."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Digit groups are joined first ("9 131" -> "9131") so a number written with
# spaces matches the same number written plainly or with commas.
_DIGIT_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f,](?=\d{3}\b)")
# Single characters and bare numbers stay: years, counts and codes are what
# people search for by keyword.
_TOKEN = re.compile(r"(?u)\b\w+\b")
# k1 and b are bm25s' defaults: tuning them on SciFact train moved nDCG@10 by
# less than its noise, so the familiar values stay.
K1, B = 1.5, 0.75


def normalise_for_bm25(text: str) -> str:
    return _DIGIT_GROUPS.sub("", text)


class Tokenizer:
    """Lower case, word characters, English stopwords out, Snowball stems."""

    def __init__(self) -> None:
        import Stemmer
        from bm25s.stopwords import STOPWORDS_EN

        self.stemmer = Stemmer.Stemmer("english")
        self.stopwords = frozenset(STOPWORDS_EN)

    def __call__(self, text: str) -> list[str]:
        words = _TOKEN.findall(normalise_for_bm25(text).lower())
        return self.stemmer.stemWords([w for w in words if w not in self.stopwords])


def _bm25s():
    """bm25s, with its logger (set to DEBUG on import) kept below the terminal's notice."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class BM25Index:
    def __init__(self, model, tokenizer: Tokenizer) -> None:
        self.model, self.tokenizer = model, tokenizer

    @classmethod
    def build(cls, texts: Sequence[str]) -> BM25Index:
        bm25s = _bm25s()
        tokenizer = Tokenizer()
        model = bm25s.BM25(k1=K1, b=B)
        model.index([tokenizer(t) for t in texts], show_progress=False)
        return cls(model, tokenizer)

    def save(self, folder: Path) -> None:
        self.model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        bm25s = _bm25s()
        return cls(bm25s.BM25.load(str(folder)), Tokenizer())

    def __len__(self) -> int:
        return int(self.model.scores["num_docs"])

    def scores(self, query: str) -> np.ndarray:
        """One score per row, 0 where no query word occurs."""
        import numpy as np

        ids = self.model.get_tokens_ids(self.tokenizer(query))
        if not ids:
            return np.zeros(len(self), dtype="float32")
        return np.asarray(self.model.get_scores_from_ids(ids), dtype="float32")

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers and scores, best first (ties by row); only rows that match a query word."""
        return top_rows(self.scores(query), k)


def top_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best positive scores and their rows, best first, ties by row."""
    import numpy as np

    if k < 1:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32")
    matching = np.flatnonzero(scores > 0)
    if len(matching) > k:
        matching = matching[np.argpartition(-scores[matching], k - 1)[:k]]
    rows = matching[np.lexsort((matching, -scores[matching]))].astype("int64")
    return rows, scores[rows]
