"""Table answers in the answer stage: when the question is about a table the
retrieval found, the table's own operations (lookup, extremes, differences,
counts) answer it, citing the rows they used; a row, column or period the
table lacks means the documents do not say."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.answering.records import Candidate
from rag.tables import Absent, TableAnswer, answer_from_tables, tables_from_chunks
from rag.types import Chunk, Passage

RowsFn = Callable[[str], list[Chunk]]
# Retrieval ranks within which a table row makes the question a table question.
TABLE_RANKS = 3
MAX_ROWS_CITED = 3


@dataclass(frozen=True)
class TableOutcome:
    answer: TableAnswer | None
    rows: tuple[Candidate, ...]  # the row chunks the answer used, to cite
    absent: str | None = None  # why the table cannot answer


def table_outcome(question: str, passages: Sequence[Passage], units: Sequence[Candidate], probabilities: np.ndarray,
                  table_rows: RowsFn | None) -> TableOutcome | None:
    if table_rows is None or not _about_a_table(passages, units, probabilities):
        return None
    table_ids = list(dict.fromkeys(p.chunk.table_id for p in passages if p.chunk.kind == "table" and p.chunk.table_id))
    by_id = {table_id: table_rows(table_id) for table_id in table_ids}
    result = answer_from_tables(question, tables_from_chunks([c for rows in by_id.values() for c in rows]))
    if isinstance(result, Absent):
        return TableOutcome(None, (), result.reason)
    if not isinstance(result, TableAnswer):
        return None
    rank = {p.chunk.table_id: p for p in passages if p.chunk.table_id}
    cited: list[Candidate] = []
    for cell in result.cells_used:
        row = _row_chunk(by_id.get(cell.table_id, []), cell.row)
        if row is not None and all(c.chunk.id != row.id for c in cited):
            passage = rank[cell.table_id]
            cited.append(Candidate(row.text, row, passage.rank, passage.score))
    return TableOutcome(result, tuple(cited[:MAX_ROWS_CITED])) if cited else None


def _about_a_table(passages: Sequence[Passage], units: Sequence[Candidate], probabilities: np.ndarray) -> bool:
    """The best candidate is a table row, or a row is among the first passages retrieved."""
    if len(units) and units[int(np.argmax(probabilities))].is_table:
        return True
    return any(p.chunk.kind == "table" for p in passages[:TABLE_RANKS])


def _row_chunk(rows: list[Chunk], index: int) -> Chunk | None:
    """The chunk of the table's row at this position (a row cut into pieces counts once)."""
    seen, last = -1, None
    for chunk in rows:
        key = (chunk.cells, chunk.line_start)
        if key != last:
            seen += 1
            last = key
        if seen == index:
            return chunk
    return None
