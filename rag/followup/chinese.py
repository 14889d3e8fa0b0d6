"""Chinese follow-ups: only a pronoun or demonstrative (他, 她, 它, 他们, 这, 那, 这个, 那个, 其)
makes a question a follow-up; a question without one is never changed."""

from __future__ import annotations

import re

from rag.followup import referents
from rag.followup.turn import Turn

_HAN = re.compile(r"[\u4e00-\u9fff]")
_PRONOUN = re.compile(r"他们|她们|它们|这个|那个|这些|那些|他|她|它|这|那|其")
# Words that merely contain one of those characters: 其他 "other", 那么 "so", 吉他 "guitar".
_NOT_PRONOUN = re.compile(r"其他|其它|其中|其实|其次|其余|其后|其间|尤其|极其|与其|那么|这么|这样|那样|这里|那里|这儿|那儿|吉他|他人|他国|他乡|其他人")
_PERSON = frozenset({"他", "她", "他们", "她们"})
_QUESTION_OPENERS = re.compile(r"^(?:请问|请告诉我|什么是|谁是|哪个是|哪些是)")
# The subject of a question ends where its predicate or question word starts.
_SUBJECT_END = re.compile(r"是|有|在|的|于|为|需要|要|可以|能|会|为什么|如何|怎么|多少|几|哪|吗|呢|什么|谁|[，,。？?！!：:；;]")
_ANSWER_SUBJECT_END = re.compile(r"是|说|表示|指出|认为|在|于|[，,。；;（(\[]")
MAX_SUBJECT_CHARS = 20


def is_chinese(question: str) -> bool:
    return bool(_HAN.search(question))


def _pronouns(question: str) -> list[re.Match]:
    masked = _NOT_PRONOUN.sub(lambda m: "\0" * len(m.group()), question)
    return list(_PRONOUN.finditer(masked))


def refers_back(question: str) -> bool:
    return bool(_pronouns(question))


def resolve(question: str, last: Turn) -> str | None:
    found = _pronouns(question)
    if not found:
        return None
    out, end = [], 0
    for match in found:
        referent = _person(last) if match.group() in _PERSON else _thing(last)
        if referent is None:
            continue
        out.append(question[end : match.start()])
        out.append(f"{referent}的" if match.group() == "其" else referent)
        end = match.end()
    if end == 0:
        return None
    return "".join(out) + question[end:]


def _person(last: Turn) -> str | None:
    if referents.asked_who(last.question) and not last.abstained:
        answer = last.short_answer or last.answer
        name = _who_answered(last.question, answer) or _answer_subject(answer) or referents.person_name(answer)
        if name:
            return name
    return referents.person_name(last.question) or _subject(last.question)


def _thing(last: Turn) -> str | None:
    return referents.main_entity(last.question) or _subject(last.question)


def _subject(question: str) -> str | None:
    """ "世界卫生组织的总部在哪里？" -> "世界卫生组织"."""
    text = _QUESTION_OPENERS.sub("", question.strip())
    subject = _SUBJECT_END.split(text, maxsplit=1)[0].strip()
    if not 2 <= len(subject) <= MAX_SUBJECT_CHARS or _pronouns(subject):
        return None
    return subject


def _who_answered(question: str, answer: str) -> str | None:
    """ "谁发现了青霉素？" answered "弗莱明发现了青霉素。": the name is what stands where 谁 stood."""
    predicate = question.strip().removeprefix("谁").rstrip("？?")
    at = answer.find(predicate[:2]) if question.strip().startswith("谁") and len(predicate) >= 2 else -1
    head = answer[:at].strip() if at > 0 else ""
    return head if 2 <= len(head) <= 8 and not _pronouns(head) else None


def _answer_subject(answer: str) -> str | None:
    """ "何启明是劳工及福利局副局长。" -> "何启明": the name a 'who' answer opens with."""
    head = _ANSWER_SUBJECT_END.split(answer.strip(), maxsplit=1)[0].strip()
    return head if 2 <= len(head) <= 8 and is_chinese(head) and not _pronouns(head) else None
