"""What a drafter should not type into a reply's body because the letter adds it itself.

The reply is the body (the decision, 答复正文) set into a frame: the opening that says when the
application came in and "现答复如下：", then the body, then the remedy clause (救济告知, §5 of the
domain notes) and the closing "如有疑问…". A remedy clause, an opening or a closing typed into the body
goes out twice; so does a legal citation typed in beside the one the outcome's template already gives.
These are found here, from the texts alone, so the editor can say so before the draft is submitted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# A sentence that tells the applicant how to challenge the reply: reconsideration or a lawsuit.
_REMEDY = re.compile(r"申请行政复议|提起行政诉讼|向[^。；\n]{0,30}人民法院[^。；\n]{0,10}(?:起诉|诉讼)"
                     r"|如(?:对|不服)本(?:答复|告知书)")
_SENTENCE = re.compile(r"[^。！？\n]*[。！？]?")
# An article of a law: 第三十六条, 第十六条第二款, 第三十六条第（二）项.
_NUMERAL = "零〇一二三四五六七八九十百"
_CITATION = re.compile(rf"第[{_NUMERAL}]+条(?:第[{_NUMERAL}]+款)?(?:第[（(]?[{_NUMERAL}]+[）)]?项)?")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NOT_WORDS = re.compile(r"[\W_]+")
SHORTEST_PHRASE = 5  # characters of a frame phrase worth looking for (shorter ones are common words)


@dataclass(frozen=True)
class Repetition:
    kind: str  # "remedy", "frame" or "citation"
    excerpt: str  # what was found, as it reads
    message: str  # what to do, in the clerk's words


def _words(text: str) -> str:
    """The text without punctuation and spaces (how phrases are compared)."""
    return _NOT_WORDS.sub("", text)


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def citations(text: str) -> Counter:
    """How often each article is cited in ``text`` (第三十六条第二项 and 第三十六条第（二）项 alike)."""
    return Counter(re.sub(r"[（()）]", "", m.group()) for m in _CITATION.finditer(text))


def _display(citation: str) -> str:
    return re.sub(rf"第([{_NUMERAL}]+)项", r"第（\1）项", citation)


def remedy_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that tell the applicant how to seek reconsideration or sue."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip() and _REMEDY.search(s)]


def frame_phrases(frame: str) -> list[tuple[str, str]]:
    """The fixed phrases the frame adds around the body, each with where it stands ("开头" or
    "结尾"): its literal text between placeholders, without the title line, the addressee and the
    remedy clause (found by its meaning instead, as drafters word it in many ways)."""
    before, _mark, after = frame.partition("{decision}")
    lines = before.split("\n", 1)
    before = lines[1] if len(lines) > 1 else ""
    out = []
    for where, part in (("开头", before), ("结尾", after)):
        for piece in _PLACEHOLDER.split(part):
            for phrase in re.split(r"[\n。；]", piece):
                if len(_words(phrase)) >= SHORTEST_PHRASE:
                    out.append((phrase.strip(), where))
    return out


def repeated_in_body(body: str, frame: str, generated: str = "") -> list[Repetition]:
    """What ``body`` repeats of what the letter adds itself: the remedy clause (if the ``frame`` has
    one), the frame's own phrases, and citations beyond those of ``generated`` (the body the outcome's
    template gives) — each article may be cited as often as the template does, and once at least."""
    found: list[Repetition] = []
    remedies = remedy_sentences(body) if "{remedy_clause}" in frame else []
    for sentence in remedies:
        found.append(Repetition("remedy", sentence, f"正文中写了救济告知（“{_short(sentence)}”）。答复书会在正文之后"
                                                    "自动加上救济告知，请删去这段，以免重复。"))
    plain_body, plain_generated = _words(body), _words(generated)
    for phrase, where in frame_phrases(frame):
        words = _words(phrase)
        if words in plain_body and words not in plain_generated:
            found.append(Repetition("frame", phrase, f"正文中有“{_short(phrase)}”，答复书的{where}已经写有这句，"
                                                     "请删去，以免重复。"))
    rest = body
    for sentence in remedies:  # a citation inside a remedy clause is said with it
        rest = rest.replace(sentence, "")
    allowed = citations(generated)
    for citation, count in citations(rest).items():
        if count > max(allowed.get(citation, 0), 1):
            found.append(Repetition("citation", _display(citation), f"正文中{_display(citation)}引用了{count}次"
                                    f"（按模板只需{max(allowed.get(citation, 0), 1)}次），请删去重复的法律依据。"))
    return found
