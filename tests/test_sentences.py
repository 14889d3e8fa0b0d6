from __future__ import annotations

import pytest

from rag.text.sentences import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        ("Mrs. Lee and Prof. Chan agreed. Work began.", ["Mrs. Lee and Prof. Chan agreed.", "Work began."]),
        ("Use tools, e.g. hammers, i.e. Heavy ones. Then build.", ["Use tools, e.g. hammers, i.e. Heavy ones.", "Then build."]),
        ("Prices rose 3.5 percent in 2020. Then they fell 0.75 points.", ["Prices rose 3.5 percent in 2020.", "Then they fell 0.75 points."]),
        ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
        ("The U.S. Army came. Then it left.", ["The U.S. Army came.", "Then it left."]),
        ("See Fig. 2 and No. 5. Both agree.", ["See Fig. 2 and No. 5.", "Both agree."]),
        ("He said no. Then he left.", ["He said no.", "Then he left."]),
        ("Apples, pears, etc. The end.", ["Apples, pears, etc.", "The end."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("Results (see Smith et al.) were good. Next part.", ["Results (see Smith et al.) were good.", "Next part."]),
        ("(1) The scheme began. (2) It grew.", ["(1) The scheme began.", "(2) It grew."]),
        ("From 1 000 to 2 000. ** In 2021, it rose.", ["From 1 000 to 2 000.", "** In 2021, it rose."]),
        ("Wait... What happened? Nobody knew!", ["Wait...", "What happened?", "Nobody knew!"]),
        ("It is lower case. and goes on.", ["It is lower case. and goes on."]),
    ],
)
def test_english_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Él dijo hola. Élodie respondió.", ["Él dijo hola.", "Élodie respondió."]),
        ("Он пришёл. Она ушла.", ["Он пришёл.", "Она ушла."]),
        ("我们来了。他们走了！真的吗？是的", ["我们来了。", "他们走了！", "真的吗？", "是的"]),
        ("他说：“好。”然后走了。", ["他说：“好。”", "然后走了。"]),
    ],
)
def test_other_scripts(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_nothing_is_lost_or_added() -> None:
    text = "Dr. Ho spoke at 3 p.m. on Jan. 5. The vote was 25 to 3.5. Results follow."
    sentences = split_sentences(text)
    assert " ".join(sentences) == text
    assert len(sentences) == 3


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


@pytest.mark.parametrize("line, heading", [
    ("A long time coming", True),
    ("WRITTEN ANSWER TO PARLIAMENTARY QUESTION", True),
    ("The rules took effect on 6 December 2024.", False),
    ("Date: 12 September 2022", False),  # a field states its value
    ("- founding a technology company", False),  # a list item is content
    ("1. the number of applications received", False),
    ("the shortage grew worse every year after the scheme opened and employers said so at length in the survey", False),
])
def test_headings_are_short_lines_without_a_stop(line: str, heading: bool) -> None:
    from rag.text.sentences import is_heading

    assert is_heading(line) is heading


def test_a_heading_is_context_not_a_candidate() -> None:
    from rag.answering.candidates import candidates
    from rag.types import Chunk, Passage

    chunk = Chunk("c", "news.txt", "Weekly", "Visa rules change at last\nThe new rules took effect on 6 December 2024.")
    units = candidates([Passage(chunk, 1.0, 1)])
    assert [u.text for u in units] == ["The new rules took effect on 6 December 2024."]
    assert units[0].before == "Visa rules change at last"


def test_a_list_item_is_read_with_its_lead_in() -> None:
    from rag.answering.candidates import candidates
    from rag.types import Chunk, Passage

    text = "The fund supports three kinds of project:\n- bridges over tidal rivers;\n- ferry piers in small harbours;\nIt opened in 2019."
    units = candidates([Passage(Chunk("c", "fund.txt", "Fund", text), 1.0, 1)])
    piers = next(u for u in units if "ferry" in u.text)
    assert piers.before == "The fund supports three kinds of project:"
    assert next(u for u in units if u.text.startswith("It opened")).before == "- ferry piers in small harbours;"


def test_a_numbered_line_alone_between_paragraphs_is_a_section_heading() -> None:
    from rag.text.sentences import line_kinds

    lines = ["Minutes of the meeting.", "4. Finance", "Spending was on budget.", "Roles:", "1. founding a firm", "2. lecturing"]
    assert line_kinds(lines) == [(False, False), (True, False), (False, False), (False, False), (False, True), (False, True)]
