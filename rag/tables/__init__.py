"""Tables read from documents, and answers read off them.

Entry point for the answer engine::

    from rag.tables import answer_from_tables, tables_from_chunks
    result = answer_from_tables(question, tables_from_chunks(index_chunks))

``answer_from_tables(question, tables)`` returns

- a ``TableAnswer(short, cells_used, operation, explanation)`` when a table answers
  (``operation`` is lookup, argmax, argmin, difference, sum, ratio, count or as_at;
  ``cells_used`` are the ``Cell`` records to cite: source via ``Table.source``, row and
  column headers, caption, unit and as-at date);
- ``Absent(reason)`` when the best-matching table lacks the row, column or period the
  question names: no cell of these tables may be quoted as the answer (abstain unless
  prose evidence answers; Absent speaks for the tables given, not for the documents);
- ``None`` when no table bears on the question.

Tables come from a loaded ``Document`` (``tables_from_document``) or are rebuilt from
an index's row chunks (``tables_from_chunks``: each row chunk keeps its table id,
columns, cells, caption, unit and as-at date). Parsing lives in ``rag.tables.parse``,
the records in ``rag.tables.model``, the operations in ``rag.tables.operations``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.tables.model import Cell, Table, make_table
from rag.tables.absence import Absent
from rag.tables.operations import TableAnswer, score_answer
from rag.tables.view import TableView
from rag.types import Chunk, Document

__all__ = ["Absent", "Cell", "Table", "TableAnswer", "answer_from_tables", "row_chunks", "tables_from_chunks", "tables_from_document"]


def answer_from_tables(question: str, tables: Sequence[Table]) -> TableAnswer | Absent | None:
    """The answer of the table that bears most on the question; Absent only when the
    tables that bear on it most all lack what it names."""
    scored = [score_answer(question, TableView(t)) for t in tables]
    answers = [s for s in scored if isinstance(s.result, TableAnswer)]
    absents = [s for s in scored if isinstance(s.result, Absent)]
    best_answer = max(answers, key=lambda s: s.relevance, default=None)
    best_absent = max(absents, key=lambda s: s.relevance, default=None)
    if best_answer is not None and (best_absent is None or best_answer.relevance >= best_absent.relevance - 1):
        return best_answer.result
    return best_absent.result if best_absent is not None and best_absent.relevance >= 2 else None


def tables_from_document(document: Document) -> list[Table]:
    """Every table block of a loaded document, with the heading it sits under as context."""
    from rag.tables.parse import table_from_block

    tables, heading = [], ""
    for n, block in enumerate(document.blocks):
        if block.kind == "heading" and block.text != document.title:
            heading = block.text
        elif block.kind == "table" and block.rows:
            context = " > ".join(p for p in (document.title, heading) if p)
            tables.append(table_from_block(block, document.source, f"{document.source}#t{n}", context))
    return tables


def tables_from_chunks(chunks: Sequence[Chunk]) -> list[Table]:
    """Tables rebuilt from an index's row chunks, one per table id, rows in order;
    a row cut into several chunks counts once."""
    groups: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.kind == "table" and chunk.table_id:
            groups.setdefault(chunk.table_id, []).append(chunk)
    return [_rebuild(table_id, rows) for table_id, rows in groups.items()]


def row_chunks(chunks: Sequence[Chunk]) -> list[Chunk]:
    """One chunk per table row, in order: a row cut into several chunks counts once, so
    position i here is row i of the table tables_from_chunks rebuilds."""
    rows, last = [], None
    for chunk in chunks:
        key = (chunk.cells, chunk.line_start)
        if key != last:
            rows.append(chunk)
        last = key
    return rows


def _rebuild(table_id: str, chunks: list[Chunk]) -> Table:
    distinct = row_chunks(chunks)
    rows = [chunk.cells for chunk in distinct]
    lines = [chunk.line_start for chunk in distinct]
    first = chunks[0]
    context = " > ".join(p for p in (first.title, first.heading) if p)
    table = make_table(table_id, first.source, first.caption, (first.columns,), rows, (), context,
                       first.line_start, chunks[-1].line_end, tuple(n for n in lines if n is not None))
    return table if first.unit is None and first.as_at is None else _with(table, first.unit, first.as_at)


def _with(table: Table, unit: str | None, as_at: str | None) -> Table:
    from dataclasses import replace

    return replace(table, unit=unit or table.unit, as_at=as_at or table.as_at)
