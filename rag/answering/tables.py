"""Table answers in the answer stage: when the question is about a table the
retrieval found, the table's own operations (lookup, extremes, differences,
counts) answer it, citing the rows they used; a row, column or period the
table lacks means the documents do not say."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.answering.records import Candidate
from rag.tables import Absent, TableAnswer, answer_from_tables, row_chunks, tables_from_chunks
from rag.types import Chunk, Passage

RowsFn = Callable[[str], list[Chunk]]
# A looked-up cell answers only when the question names its row and its column and asks
# nothing the table does not hold, or
# when its row is at least this likely against the best sentence: a sentence that plainly
# answers is not overruled by a table that merely shares words.
ROW_RATIO = 0.5
# Operations over a whole table: a single sentence seldom says which row is largest or
# what two rows differ by, so these answer whenever the question asks for one. A running
# total is not among them: documents often state it ("a total of ... as of end 2021"),
# so it answers only as a looked-up cell does.
WORKED_OUT = frozenset({"argmax", "argmin", "difference", "sum", "ratio", "count", "compare", "as_at"})
MAX_ROWS_CITED = 3


@dataclass(frozen=True)
class TableOutcome:
    answer: TableAnswer | None
    rows: tuple[Candidate, ...]  # the row chunks the answer used, to cite
    absent: str | None = None  # why the table cannot answer
    named: bool = False  # the table lacks a row, column or period the question names


def table_outcome(question: str, passages: Sequence[Passage], units: Sequence[Candidate], probabilities: np.ndarray,
                  table_rows: RowsFn | None) -> TableOutcome | None:
    if table_rows is None or not any(u.is_table for u in units):
        return None
    table_ids = list(dict.fromkeys(p.chunk.table_id for p in passages if p.chunk.kind == "table" and p.chunk.table_id))
    by_id = {table_id: table_rows(table_id) for table_id in table_ids}
    result = answer_from_tables(question, tables_from_chunks([c for rows in by_id.values() for c in rows]))
    if isinstance(result, Absent):
        return TableOutcome(None, (), result.reason, named=True)
    if result is None:
        return TableOutcome(None, (), "no row or column of the table matches what the question names")
    if not isinstance(result, TableAnswer):
        return None
    if result.operation not in WORKED_OUT and not result.named and not _about_a_table(units, probabilities):
        return None
    rank = {p.chunk.table_id: p for p in reversed(passages) if p.chunk.table_id}
    cited: list[Candidate] = []
    for cell in result.cells_used:
        row = _row_chunk(by_id.get(cell.table_id, []), cell.row)
        if row is not None and all(c.chunk.id != row.id for c in cited):
            passage = rank[cell.table_id]
            cited.append(Candidate(row.text, row, passage.rank, passage.score))
    if not cited:  # a count of rows or the table's date: the first table found, by its first row
        first = next(p for p in passages if p.chunk.table_id)
        row = by_id[first.chunk.table_id][0]
        cited.append(Candidate(row.text, row, first.rank, first.score))
    return TableOutcome(result, tuple(cited[:MAX_ROWS_CITED]))


def _about_a_table(units: Sequence[Candidate], probabilities: np.ndarray) -> bool:
    """A retrieved table row is nearly as likely to answer as the best sentence."""
    rows = [p for u, p in zip(units, probabilities) if u.is_table]
    return bool(rows) and max(rows) >= ROW_RATIO * float(probabilities.max())


def _row_chunk(rows: list[Chunk], index: int) -> Chunk | None:
    """The chunk of the table's row at this position."""
    chunks = row_chunks(rows)
    return chunks[index] if 0 <= index < len(chunks) else None
