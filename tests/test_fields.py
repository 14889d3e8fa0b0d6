"""Labelled fields ("Room: Hampton Room") and the answers read from them."""

from __future__ import annotations

from rag.answering.corpus import CorpusStats
from rag.answering.fields import field_answer
from rag.answering.question import analyse
from rag.text.fields import fields
from rag.types import Chunk, Passage

RECORD = """Annual Meeting Programme
Title: Coastal Erosion in Northern Wales
Presenter: Alice Brook, University of Leeds
Session Type: Poster
Day: 12 March 2021
Room:
Lecture Theatre B
Abstract:
This poster examines the retreat of cliffs along the northern coast over four decades, using aerial photographs and interviews with landowners to date each collapse and its causes in the region."""


def _passages(*texts: str) -> list[Passage]:
    return [Passage(Chunk(f"c{i}", f"doc{i}.txt", f"doc {i}", text), 1.0 / (i + 1), i + 1) for i, text in enumerate(texts)]


def test_fields_on_one_line_and_with_the_value_below():
    found = {f.label: f.value for f in fields(RECORD)}
    assert found["Presenter"] == "Alice Brook, University of Leeds"
    assert found["Session Type"] == "Poster"
    assert found["Room"] == "Lecture Theatre B"
    # A long paragraph under a label is a section, not a value.
    assert "Abstract" not in found


def test_prose_with_a_colon_is_not_a_field():
    text = "The committee reached one conclusion after a long debate: the fees would rise.\nIn the end the vote was clear: yes"
    assert [f.label for f in fields(text)] == []


def test_a_question_naming_the_label_gets_the_value():
    question = analyse("Which room was the coastal erosion poster shown in?")
    scored = field_answer(question, _passages(RECORD), CorpusStats([Chunk("c0", "doc0.txt", "doc 0", RECORD)]))
    assert scored is not None
    assert scored.span == "Lecture Theatre B"
    assert scored.candidate.text == "Room: Lecture Theatre B"


def test_a_field_of_another_record_does_not_answer():
    other = "Title: Glacier Melt in the Andes\nRoom: Hall C\nPresenter: Bo Lin"
    chunks = [Chunk("c0", "doc0.txt", "doc 0", other), Chunk("c1", "doc1.txt", "doc 1", RECORD)]
    question = analyse("Which room was the coastal erosion poster shown in?")
    assert field_answer(question, _passages(other), CorpusStats(chunks)) is None


def test_a_typed_question_needs_a_value_of_its_type():
    text = "Title: Coastal Erosion Talk\nDay: to be announced"
    question = analyse("On what day was the coastal erosion talk?")
    assert field_answer(question, _passages(text), CorpusStats([Chunk("c0", "doc0.txt", "doc 0", text)])) is None
    dated = "Title: Coastal Erosion Talk\nDay: 12 March 2021"
    assert field_answer(question, _passages(dated), CorpusStats([Chunk("c0", "doc0.txt", "doc 0", dated)])).span == "12 March 2021"


def test_a_slashed_label_pairs_its_parts_with_the_value_parts():
    found = {f.label: f.value for f in fields("Start / End Time: 3:05 PM / 4:45 PM\nMin / Max: 3 / 9\nAuthor/Editor: Ana Ruiz")}
    assert found == {"Start Time": "3:05 PM", "End Time": "4:45 PM", "Min": "3", "Max": "9", "Author/Editor": "Ana Ruiz"}


def test_when_a_session_ended_is_read_from_its_end_time():
    text = "Title: Coastal Erosion Talk\nStart / End Time: 3:05 PM / 4:45 PM"
    stats = CorpusStats([Chunk("c0", "doc0.txt", "doc 0", text)])
    scored = field_answer(analyse("When did the coastal erosion talk end?"), _passages(text), stats)
    assert scored is not None and scored.span == "4:45 PM"
    assert scored.candidate.text == "Start / End Time: 3:05 PM / 4:45 PM"


def test_a_question_naming_what_someone_did_finds_the_label_naming_the_doer():
    text = "Glacier Melt in the Andes\nAuthor:\nBo Lin, University of Lima\nAdvisor:\nAna Ruiz, University of Lima"
    stats = CorpusStats([Chunk("c0", "doc0.txt", "doc 0", text)])
    assert field_answer(analyse("Who wrote the thesis on glacier melt in the Andes?"), _passages(text), stats).span.startswith("Bo Lin")
    assert field_answer(analyse("Who advised the thesis on glacier melt in the Andes?"), _passages(text), stats).span.startswith("Ana Ruiz")
    assert field_answer(analyse("Who funded the thesis on glacier melt in the Andes?"), _passages(text), stats) is None


def test_a_field_in_a_list_item_keeps_its_label():
    # Loaders open an HTML, Word or Markdown list item with a bullet.
    found = {f.label: f.value for f in fields("Terms of the offer:\n• Start date: 1 September 2025\n2. Base salary: 84,000 a year")}
    assert found == {"Start date": "1 September 2025", "Base salary": "84,000 a year"}


def test_a_question_word_no_document_uses_does_not_count_against_the_record():
    text = "Offer to Ms Rao\nStart date: 1 September 2025\nContract: three years"
    stats = CorpusStats([Chunk("c0", "doc0.txt", "doc 0", text), Chunk("c1", "doc1.txt", "doc 1", "Rules for start dates of Mr Lee.")])
    scored = field_answer(analyse("When is Ms Rao supposed to start?"), _passages(text), stats)
    assert scored is not None and scored.span == "1 September 2025"


LETTER = "We support the application of Ms Rao.\nYours faithfully,\n\nTomas Weber\nChief People Officer\nFor and on behalf of Kestrel Ltd"


def test_a_letters_signature_gives_who_signed_it_and_as_what():
    found = {f.label: f.value for f in fields(LETTER)}
    assert found["Signer"] == "Tomas Weber"
    assert found["Signer position"] == "Chief People Officer"
    assert not [f for f in fields("Regards were sent to Tomas Weber.\nTomas Weber\nChief")]


def test_who_signed_a_letter_is_read_from_its_signature_even_in_a_later_passage():
    chunks = [Chunk("c0", "letter.txt", "Letter of support for Ms Rao", "Kestrel Ltd offers Ms Rao the post of engineer."),
              Chunk("c1", "letter.txt", "Letter of support for Ms Rao", "Ms Rao starts in May."),
              Chunk("c2", "letter.txt", "Letter of support for Ms Rao", "She will work in Leeds."),
              Chunk("c3", "letter.txt", "Letter of support for Ms Rao", LETTER)]
    passages = [Passage(c, 1.0 / (i + 1), i + 1) for i, c in enumerate(chunks)]
    stats = CorpusStats(chunks)
    signed = field_answer(analyse("Who signed the letter of support for Ms Rao?"), passages, stats)
    assert signed is not None and signed.span == "Tomas Weber"
    post = field_answer(analyse("What is the job title of the person who signed the letter?"), passages, stats)
    assert post is not None and post.span == "Chief People Officer"


def test_a_reference_is_a_code_not_a_date():
    text = "Minutes of the recruitment committee\nMeeting reference: ORRC 2025/3\nMeeting date: 14 May 2025"
    stats = CorpusStats([Chunk("c0", "doc0.txt", "doc 0", text)])
    held = field_answer(analyse("When was the recruitment committee meeting held?"), _passages(text), stats)
    assert held is not None and held.span == "14 May 2025"
    only = "Minutes of the recruitment committee\nMeeting reference: ORRC 2025/3"
    assert field_answer(analyse("When was the recruitment committee meeting held?"), _passages(only),
                        CorpusStats([Chunk("c0", "doc0.txt", "doc 0", only)])) is None
    assert field_answer(analyse("What is the meeting reference?"), _passages(only),
                        CorpusStats([Chunk("c0", "doc0.txt", "doc 0", only)])).span == "ORRC 2025/3"
    numbered = "Minutes of the recruitment committee\nMeeting reference number: ORRC 2025/3"
    assert field_answer(analyse("When was the recruitment committee meeting held?"), _passages(numbered),
                        CorpusStats([Chunk("c0", "doc0.txt", "doc 0", numbered)])) is None  # "reference number" too


def test_a_defined_term_names_who_it_stands_for():
    text = ('This tenancy agreement is made between Margaret Ellison ("the Landlord") and Tomas Berg (the "Tenant").\n'
            "The Landlord keeps the heating in repair. The Tenant pays for broken windows.")
    stats = CorpusStats([Chunk("c0", "lease.txt", "Tenancy agreement", text)])
    passages = [Passage(Chunk("c0", "lease.txt", "Tenancy agreement", text), 1.0, 1)]
    landlord = field_answer(analyse("Who is the landlord?"), passages, stats)
    assert landlord is not None and landlord.span == "Margaret Ellison"
    assert landlord.candidate.text == 'Margaret Ellison ("the Landlord")'
    assert field_answer(analyse("Who is meant by the Tenant in the tenancy agreement?"), passages, stats).span == "Tomas Berg"
    # A question about what the party does is not a question about who the party is.
    assert field_answer(analyse("What does the Landlord keep in repair?"), passages, stats) is None
    # The definition answers from a passage found below the first three too.
    others = [Passage(Chunk(f"o{i}", "lease.txt", "Tenancy agreement", f"Clause {i}: rent is paid monthly."), 1.0, i + 1)
              for i in range(3)]
    deep = [*others, Passage(passages[0].chunk, 0.5, 4)]
    assert field_answer(analyse("Who is the landlord?"), deep, stats).span == "Margaret Ellison"


def test_a_speakers_words_are_not_a_fields_value():
    transcript = ("INTERVIEWER: Where did you grow up?\nCHEN: Sure. I grew up in Chengdu and left in 2012.\n"
                  "INTERVIEWER: And then?\nCHEN: Then Melbourne. I studied there.")
    assert [f.label for f in fields(transcript)] == ["INTERVIEWER", "INTERVIEWER"]
    # A field's value may run to two sentences when its label is used once.
    funded = fields("Funding: The study was funded by the Science Foundation. The funder had no role in it.")
    assert [f.label for f in funded] == ["Funding"]
    signed = fields("With best wishes for your move,\nAisha Rahmat\nGlobal Mobility Lead")
    assert [(f.label, f.value) for f in signed][:2] == [("Signer", "Aisha Rahmat"), ("Signer position", "Global Mobility Lead")]
