"""The answer stage's parts on their own: question types, typed spans, candidates,
the fitted scorer and the composed answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rag.answering.candidates import candidates
from rag.answering.compose import compose
from rag.answering.corpus import CorpusStats
from rag.answering.features import NAMES, feature_matrix
from rag.answering.question import analyse
from rag.answering.records import Scored, Selection
from rag.answering.scorer import WEIGHTS, load_scorer
from rag.answering.spans import find_span
from rag.types import Chunk, Passage


@pytest.mark.parametrize("question, text, span", [
    ("When did the bridge open?", "The bridge opened on 6 December 2024 after delays.", "6 December 2024"),
    ("When did the bridge open?", "The bridge opened on December 6, 2024 after delays.", "December 6, 2024"),
    ("When did the bridge open?", "It opened on 2024-12-06.", "2024-12-06"),
    ("In what year was the mill built?", "Built in 1679, the mill still stands.", "1679"),
    ("How many people live in the town?", "About 12,400 people live in the town, up from 9 131 in 1990.", "12,400"),
    # A share or an amount is not a count.
    ("How many people applied?", "Most people applied online, with under 5 percent by post.", None),
    ("How many people applied?", "Applicants paid $5 million in fees; 310 people applied.", "310"),
    # The number of a name ("KT-17") counts nothing.
    ("How many kettles were recalled?", "In all 3 200 of the KT-17 kettles were recalled.", "3 200"),
    ("How much does the pass cost?", "The pass costs S$5,600 a year.", "S$5,600"),
    ("How much does a colour print cost?", "Colour prints cost 50p per page.", "50p"),
    ("How many times can an item be renewed?", "Each item can be renewed twice.", "twice"),
    # A letter's greeting names the reader, not who is asked for.
    ("Who will Ms Novak report to?", "Dear Ms Novak,", None),
    # A size is an amount of money or a measure, not a length of time.
    ("How large is the deposit?", "The deposit of 1,725 pounds is returned within 10 days.", "1,725 pounds"),
    ("How large is the deposit?", "The deposit is returned within 10 days.", None),
    ("What percentage of voters turned out?", "Turnout was 18.8% in the city.", "18.8%"),
    ("How long did the siege last?", "The siege lasted three months before the town fell.", "three months"),
    ("Who designed the tower?", "The tower was designed by Gustave Eiffel's firm in 1887.", "Gustave Eiffel's"),
    # A month, a weekday or an acronym alone is not who did something.
    ("Who opened the bridge?", "In March the NHA said Mary Jones opened the bridge on Friday.", "Mary Jones"),
])
def test_typed_spans(question, text, span):
    assert find_span(analyse(question), text) == span


def test_the_number_of_a_name_is_no_number_the_question_gives():
    assert analyse("How much water does the KT-17 hold in 2024?").numbers == ("2024",)


def test_a_span_the_question_already_gives_is_not_the_answer():
    q = analyse("How many visitors came in 2019?")
    assert find_span(q, "In 2019, 4 200 visitors came.") == "4 200"
    # Neither a heading's number in a passage's heading path nor the 20 of "2019/20" counts.
    assert find_span(q, "Annual report > 4.2 Visitors by region: 2019/20 4,310") == "4,310"


def test_a_count_is_not_the_number_of_a_length_of_time():
    text = "The visa is valid for five to ten years, and 2,400 were issued."
    assert find_span(analyse("How many visas were issued?"), text) == "2,400"
    assert find_span(analyse("How many visas were issued?"), "The visa is valid for five to ten years.") is None
    assert find_span(analyse("How many years is the visa valid for?"), "It is valid for five years.") == "five"
    assert find_span(analyse("How long is the visa valid?"), text) == "five to ten years"


def test_a_heading_in_capitals_is_not_a_name():
    q = analyse("Who funded the working paper?")
    assert find_span(q, "COMING HOME TO RIVER TOWNS: A STUDY") is None
    assert find_span(q, "The working paper was funded by Ada Lovelace.") == "Ada Lovelace"
    assert find_span(analyse("Which body ran it?"), "The NHS ran it.") is None  # "which body": no typed span
    assert find_span(analyse("Where is it?"), "It is in the UK.") == "UK"  # one word in capitals is a name


def test_a_value_tied_to_a_range_holding_the_questions_number():
    q = analyse("I'm 41 - what's the minimum monthly salary for the pass?")
    text = "The minimum monthly salary is CV$ 6,200, or CV$ 7,100 for candidates aged 40 or over."
    assert find_span(q, text) == "CV$ 7,100"
    assert find_span(analyse("What's the minimum monthly salary for the pass?"), text) == "CV$ 6,200"
    # The range's own ends are the condition, not the answer.
    q = analyse("If I leave 18 months after starting, how much do I repay?")
    assert find_span(q, "If you leave between 12 and 24 months after your start, you repay 50%.") == "50%"
    assert find_span(analyse("Who met Ada Lovelace?"), "Ada Lovelace met Charles Babbage in 1833.") == "Charles Babbage"


def _chunk(text: str, kind: str = "text") -> Chunk:
    return Chunk(id="c1", source="doc.txt", title="A document", text=text, line_start=1, line_end=3, kind=kind)


def test_candidates_are_sentences_with_their_neighbours():
    passage = Passage(_chunk("First one here. Second one here. Third one here."), 0.9, 1)
    units = candidates([passage, passage])  # a repeated passage adds nothing
    assert [u.text for u in units] == ["First one here.", "Second one here.", "Third one here."]
    assert (units[1].before, units[1].after) == ("First one here.", "Third one here.")


def test_corpus_learns_acronyms_the_documents_define():
    stats = CorpusStats([_chunk("The Transport Safety Board (TSB) met twice.")])
    assert stats.defined == {"TSB": ("Transport Safety Board",)}
    assert {"transport", "safeti", "board"} <= stats.close(["tsb"])
    assert stats.spelled_out("What did the TSB decide?") == "What did the TSB decide? (Transport Safety Board)"


def test_corpus_learns_acronyms_the_documents_use_beside_their_spelled_out_words():
    stats = CorpusStats([
        _chunk("The United Kingdom's rules changed. In the UK, the Food and Drug Administration differs."),
        _chunk("If the Parliament agrees, the IP rules change. The FDA agreed."),
    ])
    assert stats.defined["UK"] == ("United Kingdom",)
    assert stats.defined["FDA"] == ("Food and Drug Administration",)
    assert "IP" not in stats.defined  # "If the Parliament" opens a sentence; it spells nothing
    assert {"unit", "kingdom"} <= stats.close(["uk"])


def test_acronyms_learnt_from_initials_come_in_the_same_order_in_every_process():
    # CorpusStats.close reads them in order, so a set's order (which changes with the
    # process's hash seed) made the same question's features differ from run to run.
    script = (
        "from rag.text.acronyms import initialisms;"
        "print(list(initialisms(['The UK, the EU, the ILO, the IMF and the NHS met. United Kingdom, European Union, "
        "International Labour Organization, International Monetary Fund, National Health Service.'])))"
    )
    runs = {
        subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                       capture_output=True, text=True, check=True).stdout
        for seed in range(4)
    }
    assert runs == {"['UK', 'EU', 'ILO', 'IMF', 'NHS']\n"}


def test_a_defined_acronym_wins_over_initials_that_happen_to_match():
    stats = CorpusStats([_chunk("The Road Safety Board (RSB) met. Later the Royal Scottish Bank and the RSB talked.")])
    assert stats.defined["RSB"] == ("Road Safety Board",)


def test_the_words_around_a_span_count_for_it():
    text_near = "The bridge opened on 6 December 2024."
    text_far = "On 6 December 2024 the council, after a long and bitter debate on the budget, said the bridge had opened."
    q = analyse("When did the bridge open?")
    chunks = [_chunk(text_near), _chunk(text_far)]
    units = candidates([Passage(c, 1.0, 1) for c in chunks])
    features = feature_matrix(q, units, fake_embed, CorpusStats(chunks))
    window, distance = NAMES.index("span_window"), NAMES.index("span_distance")
    assert features[0, window] == 1.0 and features[1, window] < 1.0
    assert features[0, distance] < features[1, distance]
    untyped = feature_matrix(analyse("Why did the bridge open?"), units, fake_embed, CorpusStats(chunks))
    assert not untyped[:, window].any() and not untyped[:, distance].any()


def test_the_documents_say_which_names_are_people_and_which_places():
    from rag.text.names import NameKinds

    kinds = NameKinds([
        "Dr Ana Ruiz said the port grew. Trade in Porto Velho doubled. Ships from the Baltic came. "
        "The rise in Porto Velho. Ruiz left. Sam Lee, who chairs it, agreed. Lee wrote to the board.",
    ])
    assert kinds.leaning("Ana Ruiz") == "person" and kinds.leaning("Sam Lee") == "person"
    assert kinds.leaning("Porto Velho") == "place" and kinds.leaning("Porto Velho's") == "place"
    assert kinds.leaning("Baltic") == "place"
    assert kinds.leaning("Ruiz") is None  # never used with a cue


def test_who_prefers_a_name_the_documents_do_not_use_as_a_place():
    from rag.text.names import NameKinds

    kinds = NameKinds(["Offices opened in Port Lyall and in Port Lyall again."])
    text = "Mara Quint said visitors to the Port Lyall office were welcome."
    q = analyse("Who directs the office?")
    assert find_span(q, text) == "Port Lyall"  # nearest the question's words
    assert find_span(q, text, kinds) == "Mara Quint"
    assert find_span(q, "Port Lyall signed the deal.", kinds) == "Port Lyall"  # the only name left


def test_a_plural_acronym_is_defined_by_its_singular():
    stats = CorpusStats([_chunk("Staff of the Regional Trade Offices (RTOs) met. The RTOs agreed.")])
    assert stats.defined["RTO"] == ("Regional Trade Offices",)
    q = analyse("What are RTOs in the minutes?")
    assert find_span(q, "Staff of the Regional Trade Offices (RTOs) met.") == "Regional Trade Offices"
    assert find_span(q, "The RTOs agreed.") is None


@pytest.mark.parametrize("place, people", [
    ("Canada", "canadian"), ("Japan", "japanese"), ("Germany", "german"), ("China", "chinese"),
    ("Poland", "polish"), ("Pakistan", "pakistani"), ("Europe", "european"), ("Mexico", "mexican"),
])
def test_a_places_people_are_named_by_the_language_rules(place, people):
    from rag.text.names import demonym_places, demonyms

    assert people in demonyms(place)
    assert place.lower() in demonym_places(people + ("" if people.endswith(("ese", "ish")) else "s"))


def test_a_question_about_a_people_reads_as_the_place_the_documents_name():
    stats = CorpusStats([_chunk("Permits by origin: Canada 160, Japan 41.")])
    asked = stats.in_their_words(analyse("How many Canadians and Peruvians got permits?"))
    assert "canada" in asked.terms and "canadian" not in asked.terms
    assert "peruvian" in asked.terms  # no place of theirs in the documents: left as asked


def test_a_name_no_document_holds_is_marked_for_every_candidate():
    text = "Permits went to Canada in 2020. Most went to the capital."
    column = NAMES.index("names_unknown")
    unknown = _features("How many permits went to Peru and Canada?", text)
    known = _features("How many permits went to Canada?", text)
    assert (unknown[:, column] == 0.5).all() and not known[:, column].any()


def test_a_not_the_question_adds_is_a_mismatch_a_not_only_the_sentence_has_is_not():
    text = "The ferry did not sail in 2020. The ferry sailed in 2021."
    column = NAMES.index("negation_mismatch")
    assert list(_features("When did the ferry sail?", text)[:, column]) == [0.0, 0.0]
    assert list(_features("When did the ferry not sail?", text)[:, column]) == [0.0, 1.0]


def test_a_word_turned_into_its_opposite_is_marked():
    column = NAMES.index("opposite_word")
    text = "Helper cells have a weaker bond with the complex than killer cells do."
    assert list(_features("What has a stronger bond with the complex than killer cells?", text)[:, column]) == [1.0]
    assert list(_features("What has a weaker bond with the complex than killer cells?", text)[:, column]) == [0.0]
    # Both words in the sentence: nothing was turned.
    both = "Some rivers grow stronger in spring and weaker in autumn."
    assert list(_features("When do the rivers grow stronger?", both)[:, column]) == [0.0]


def test_a_range_the_sentence_states_covers_the_questions_number():
    column = NAMES.index("numbers_covered")
    over = "The fee is 200 for applicants aged 40 or over."
    assert list(_features("What fee does an applicant aged 41 pay?", over)[:, column]) == [1.0]
    assert list(_features("What fee does an applicant aged 39 pay?", over)[:, column]) == [0.0]
    assert list(_features("What fee does an applicant aged 39 pay?", "Applicants aged 30-39 pay 150.")[:, column]) == [1.0]
    # A number the asker states before the question is theirs too.
    assert list(_features("I'm 41. What fee do I pay?", over)[:, column]) == [1.0]
    assert analyse("I'll be 35 when I apply. How many points do I get?").numbers == ("35",)


def _features(question: str, text: str) -> np.ndarray:
    """The feature matrix of one passage's candidates for the question."""
    chunks = [_chunk(text)]
    return feature_matrix(analyse(question), candidates([Passage(chunks[0], 1.0, 1)]), fake_embed, CorpusStats(chunks))


def fake_embed(texts):
    """Bag-of-letters vectors: similar words, similar vectors, no model needed."""
    out = np.zeros((len(texts), 26))
    for i, text in enumerate(texts):
        for ch in text.lower():
            if "a" <= ch <= "z":
                out[i, ord(ch) - 97] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_the_fitted_scorer_prefers_the_sentence_that_answers():
    chunk = _chunk("The museum opened in 1902. Its roof was replaced after a storm. Entry is free on Sundays.")
    q = analyse("When did the museum open?")
    units = candidates([Passage(chunk, 1.0, 1)])
    features = feature_matrix(q, units, fake_embed, CorpusStats([chunk]))
    assert features.shape == (3, len(NAMES))
    probabilities = load_scorer().probabilities(features)
    assert units[int(np.argmax(probabilities))].text == "The museum opened in 1902."


def test_an_acronym_question_quotes_the_sentence_that_spells_it_out():
    from rag.answering.engine import select

    chunk = _chunk("The RTOs in the minutes agreed to meet. Staff of the Regional Trade Offices (RTOs) met in May.")
    selection = select(analyse("What are RTOs in the minutes?"), [Passage(chunk, 1.0, 1)], fake_embed,
                       CorpusStats([chunk]), load_scorer())
    assert selection.short_answer == "Regional Trade Offices" and not selection.abstained
    assert selection.units[0].candidate.text == "Staff of the Regional Trade Offices (RTOs) met in May."


def test_a_question_sharing_no_word_with_the_passages_is_declined():
    from rag.answering.engine import select

    chunk = _chunk("The museum opened in 1902. Its roof was replaced in 1988.")
    selection = select(analyse("What is the airspeed velocity of an unladen swallow?"), [Passage(chunk, 1.0, 1)],
                       fake_embed, CorpusStats([chunk]), load_scorer())
    assert selection.abstained and selection.confidence == 0.0


def test_an_amount_asked_for_needs_an_amount_in_the_answer():
    from rag.answering.engine import select

    chunk = _chunk("The application fee for the permit is paid online by card. Forms are checked in a week.")
    ask = lambda q: select(analyse(q), [Passage(chunk, 1.0, 1)], fake_embed, CorpusStats([chunk]), load_scorer(), 0.0)
    declined = ask("How much is the application fee for the permit?")
    assert declined.abstained and "gives no sum of money" in declined.abstain_reason
    assert not ask("How is the application fee for the permit paid?").abstained
    counted = ask("How many application forms are checked?")
    assert counted.abstained and "gives no count" in counted.abstain_reason


def test_a_typed_question_is_not_answered_by_a_line_that_only_repeats_it():
    from rag.answering.engine import select

    chunk = _chunk("Harbour Talent Service Office.\nThe office opened in 2019 and serves overseas engineers.")
    ask = lambda q: select(analyse(q), [Passage(chunk, 1.0, 1)], fake_embed, CorpusStats([chunk]), load_scorer(), 0.0)
    director = ask("Who is the director of the Harbour Talent Service Office?")
    assert director.units[0].candidate.text != "Harbour Talent Service Office."
    opened = ask("When did the Harbour Talent Service Office open?")
    assert not opened.abstained and opened.short_answer == "2019"
    alone = _chunk("Harbour Talent Service Office.")
    only = select(analyse("Who runs the Harbour Talent Service Office?"), [Passage(alone, 1.0, 1)], fake_embed,
                  CorpusStats([alone]), load_scorer(), 0.0)
    assert only.abstained and "only repeat the question" in only.abstain_reason


def test_dates_are_put_in_order():
    from rag.text.dates import date_order

    assert date_order("30 May 2022") == date_order("May 30, 2022") == date_order("2022-05-30") == (2022, 5, 30)
    assert date_order("June 2017") == (2017, 6, 0) and date_order("in 2017") == (2017, 0, 0)
    assert date_order("in the spring") is None


def test_two_options_are_compared_from_each_ones_own_sentence():
    from rag.answering.engine import select

    chunks = [
        _chunk("Since 3 May 2001 the North Ferry, long planned by the council and the port, has been open to talks. "
               "The North Ferry opened on 12 June 2017 after two years of work. A ticket costs $4."),
        _chunk("The South Bridge opened on 30 May 2009. Tolls were added in 2015 and cost $7."),
    ]
    passages = [Passage(c, 1.0, i + 1) for i, c in enumerate(chunks)]
    stats = CorpusStats(chunks)
    ask = lambda q: select(analyse(q), passages, fake_embed, stats, load_scorer())
    first = ask("Which opened first: the North Ferry or the South Bridge?")
    assert first.short_answer == "South Bridge" and not first.abstained
    assert {u.candidate.chunk.text for u in first.units} == {c.text for c in chunks}  # both sides cited
    assert "12 June 2017" in first.worked_out and "30 May 2009" in first.worked_out
    assert ask("Which opened later, the North Ferry or the South Bridge?").short_answer == "North Ferry"
    assert ask("Which costs more: the North Ferry or the South Bridge?").short_answer == "South Bridge"
    from rag.answering.choice import _words_between, option_queries

    near, far = "The ferry opened on 12 June 2017.", "Since 12 June 2017 the ferry, long planned, has been open."
    assert _words_between(near, near.index("12"), near.index("."), {"open"}) == 2
    assert _words_between(far, far.index("12"), far.index(" the"), {"open"}) == 6
    assert _words_between(near, near.index("12"), near.index("."), {"close"}) == 7  # not there: the whole sentence

    assert option_queries("Which opened first: the North Ferry or the South Bridge?") == ["North Ferry open", "South Bridge open"]
    assert option_queries("When did the North Ferry open?") == []
    # Nothing said of one option: no comparison is made up.
    assert ask("Which opened first: the North Ferry or the West Tunnel?").short_answer != "North Ferry"


def test_the_weights_file_is_what_the_fit_script_writes():
    data = json.loads(WEIGHTS.read_text())
    assert data["features"] == list(NAMES)
    assert 0.0 < data["threshold"] < 1.0
    assert "squad2" in data["fitted_on"] and data["command"].startswith("python eval/fit_scorer.py")


def test_the_short_answer_comes_first_then_the_cited_quote():
    q = analyse("When did the museum open?")
    unit = candidates([Passage(_chunk("The museum opened in 1902."), 1.0, 1)])[0]
    text = compose(Selection(q, (Scored(unit, 0.9, "1902"),), 0.9, None, "1902"))
    assert text == "1902. The museum opened in 1902 [1]."


def test_a_users_glossary_adds_other_names(tmp_path):
    from rag.answering.glossary import load_glossary
    from rag.errors import ConfigError

    path = tmp_path / "glossary.toml"
    path.write_text('LegCo = ["Legislative Council"]\nworks = "Riverside Engineering Works"\n', encoding="utf-8")
    glossary = load_glossary(path)
    assert glossary == {"LegCo": ("Legislative Council",), "works": ("Riverside Engineering Works",)}
    stats = CorpusStats([_chunk("The Legislative Council met on Monday.")], glossary)
    assert {"legisl", "council"} <= stats.close(["legco"])
    assert stats.spelled_out("When did LegCo meet?") == "When did LegCo meet? (Legislative Council)"
    path.write_text("LegCo = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="glossary .*LegCo must be a string or a list"):
        load_glossary(path)
    with pytest.raises(ConfigError, match="cannot read it"):
        load_glossary(tmp_path / "missing.toml")


def test_an_html_list_item_is_a_bulleted_candidate_not_a_heading():
    from rag.loaders.html import html_blocks

    _, blocks = html_blocks("<h2>Honours</h2><p>She was awarded:</p><ul><li>Davy Medal (1968)</li><li> </li>"
                            "<li>Honorary doctorate (1979)</li></ul>")
    texts = [b.text for b in blocks if b.kind == "text"]
    assert texts == ["She was awarded:", "• Davy Medal (1968)", "• Honorary doctorate (1979)"]
    units = candidates([Passage(_chunk("\n".join(texts)), 1.0, 1)])
    medal = next(u for u in units if "Davy Medal" in u.text)
    assert medal.before == "She was awarded:"


def test_an_html_line_break_stays_a_line_break():
    from rag.loaders.html import html_blocks

    _, blocks = html_blocks("<p>Yours faithfully,</p><p>Tomas Weber<br>\n  Chief People\n Officer<br>For Kestrel Ltd</p>")
    assert [b.text for b in blocks if b.kind == "text"] == ["Yours faithfully,", "Tomas Weber\nChief People Officer\nFor Kestrel Ltd"]


def test_a_three_capital_code_before_a_grouped_figure_is_money():
    fee = analyse("How much does the main applicant pay?")
    assert find_span(fee, "Main applicant: XAF 1,450, paid online") == "XAF 1,450"
    assert find_span(fee, "The plant is certified to ISO 9001 since 2010") is None
    assert find_span(analyse("What was her salary?"), "My base salary was 205,000 Australian dollars.") == "205,000 Australian dollars"


def test_a_length_of_time_may_qualify_its_unit():
    asked = analyse("How long does priority processing take?")
    assert find_span(asked, "Priority processing: a decision within 15 working days of lodging") == "15 working days"


def test_a_sentence_that_asks_is_not_an_answer():
    chunk = _chunk("INTERVIEWER: When did you first leave China?\nCHEN: I left China in August 2012, after graduating.")
    texts = [u.text for u in candidates([Passage(chunk, 1.0, 1)])]
    assert not any(t.endswith("?") for t in texts)
    assert any("August 2012" in t for t in texts)


def test_a_bare_yes_or_no_is_read_with_the_sentence_it_introduces():
    chunk = _chunk("Can I renew a loan online?\nYes. Log in to your account and choose Renew on the loans page.")
    texts = [u.text for u in candidates([Passage(chunk, 1.0, 1)])]
    assert "Yes. Log in to your account and choose Renew on the loans page." in texts


def test_a_figure_in_a_row_the_question_does_not_name_is_not_taken():
    from rag.answering.engine import select
    from rag.chunking import chunk_document
    from rag.loaders import make_document
    from rag.loaders.text import markdown_blocks
    from tests.fakes import FakeEmbedder

    text = ("# Annual report\n\nA total of 6,318 applications were approved in the year.\n\n"
            "## Applications approved in the year, by sector\n\n| Sector | Approved |\n| --- | --- |\n"
            "| Information technology | 2,046 |\n| Health care | 1,310 |\n")
    chunks = chunk_document(make_document("report.md", markdown_blocks(text), "hash", "Annual report"), FakeEmbedder().count_tokens)
    rows = lambda table_id: [c for c in chunks if c.table_id == table_id]
    passages = [Passage(c, 1.0, i + 1) for i, c in enumerate(sorted(chunks, key=lambda c: c.kind != "table"))]
    ask = lambda q: select(analyse(q), passages, fake_embed, CorpusStats(chunks), load_scorer(), 0.0, rows)
    assert ask("How many applications were approved in health care?").short_answer == "1,310"
    total = ask("How many applications were approved in the year?")
    assert not total.units[0].candidate.is_table and total.short_answer == "6,318"
