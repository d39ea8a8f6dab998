"""Questions typed in plain words: "hạng của tôi?", "xep hang", "chỉ số nào yếu nhất", "biểu đồ",
"so với năm ngoái", "đơn vị nào dẫn đầu", "điểm của mình bao nhiêu", "nếu 6.2 đạt tối đa thì sao",
"tiến độ", "bao giờ hết hạn" — with or without diacritics, in any case, with small typos.

It runs on every text message the other handlers did not take, so it stays cheap: the text is folded
once, each typed word is compared with the phrases' vocabulary (a dictionary hit for a word spelt right,
a bounded edit distance — cached — for a typo), then every phrase is scored by dictionary look-ups.
A number, a link or a long text (an answer, a cited document) is never a question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# intent -> phrases (written without diacritics; input is folded the same way). A longer phrase that
# matches wins over a shorter one ("xep hang so voi nam ngoai" is a comparison, not the rank).
PHRASES: dict[str, tuple[str, ...]] = {
    "rank": (
        "xep hang",
        "hang cua toi",
        "hang cua minh",
        "hang cua don vi",
        "hang may",
        "hang bao nhieu",
        "hang thu may",
        "thu hang",
        "dung thu may",
        "dung thu bao nhieu",
        "dung hang may",
        "vi tri xep hang",
        "vi tri thu may",
        "hang",  # alone only: "hàng chờ" is not a question about the rank
    ),
    "weakest": (
        "chi so yeu",
        "chi so nao yeu",
        "yeu nhat",
        "yeu kem",
        "diem yeu",
        "mat diem",
        "diem thap",
        "thap nhat",
        "kem nhat",
        "can cai thien",
        "nen cai thien",
        "cai thien gi",
        "chi so kem",
    ),
    "overview": (
        "tong quan",
        "tong hop diem",
        "tinh hinh chung",
        "ket qua chung",
        "ket qua cua don vi",
        "xem ket qua",
        "ket qua",
    ),
    "charts": ("bieu do", "do thi", "ve bieu do", "xem bieu do", "chart", "charts"),
    "compare": (
        "so voi nam ngoai",
        "so voi nam truoc",
        "so voi ky truoc",
        "so voi dot truoc",
        "nam ngoai",
        "nam truoc",
        "so sanh",
        "tang hay giam",
        "tang bao nhieu bac",
        "thay doi the nao",
    ),
    "top": (
        "don vi nao dan dau",
        "ai dan dau",
        "dan dau",
        "dung dau",
        "ai dung dau",
        "ai nhat",
        "hang nhat",
        "cao diem nhat",
        "diem cao nhat",
        "top",
    ),
    "points": (
        "diem cua minh",
        "diem cua toi",
        "diem cua don vi",
        "bao nhieu diem",
        "duoc bao nhieu diem",
        "diem bao nhieu",
        "tong diem",
        "diem so",
        "may diem",
        "diem",
    ),
    "what_if": ("neu dat toi da", "gia su dat toi da", "dat toi da", "du diem", "toi da thi sao", "neu", "gia su"),
    "progress": (
        "tien do",
        "bao nhieu don vi",
        "don vi nao cham",
        "ai chua nop",
        "da nop chua",
        "lam duoc bao nhieu",
        "tra loi duoc bao nhieu",
        "con thieu gi",
        "con thieu bao nhieu",
    ),
    "deadline": (
        "bao gio het han",
        "het han",
        "han chot",
        "han nop",
        "deadline",
        "con bao nhieu ngay",
        "khi nao het han",
        "han cuoi",
        "thoi han",
        "may ngay nua",
        "khi nao phai nop",
    ),
    "assess": ("tu danh gia", "lam tiep", "tra loi tiep", "tiep tuc", "nhap tiep", "bat dau danh gia"),
    "help": ("huong dan", "tro giup", "giup toi", "giup do", "lam gi", "lam the nao", "cach dung", "help"),
}
INTENTS = tuple(PHRASES)

MAX_WORDS = 14  # longer texts are answers or cited documents, not questions
MAX_CHARS = 160
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_LINK = re.compile(r"(https?:|www\.|t\.me/|\b[\w-]+\.(?:vn|com|org|net|gov)\b)", re.IGNORECASE)
# an item's code as people type it: 6.2, 6,2, 1.1.2 (not a date 12/3, not a lone number)
_ITEM_CODE = re.compile(r"(?<![\d.,/])(\d{1,2}(?:[.,]\d{1,2}){1,2})(?![\d/]|[.,]\d)")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# "nếu" or "giả sử" alone is no question: it must come with an item's code
_NEEDS_ITEM = frozenset({"neu", "gia su", "du diem"})
# a single common word is a question only when typed alone ("hạng?"; not "hàng chờ", "điểm 6.2 sai")
_ALONE = frozenset({"hang", "diem", "ket qua", "top"})
# a question with an item's code and one of these words asks a what-if
_WHAT_IF_MARKERS = ("neu", "gia su", "toi da", "du diem", "max", "tuyet doi")


@dataclass(frozen=True)
class Question:
    intent: str
    item: str | None = None  # the item's code, for a what-if ("6.2")


def fold(text: str) -> str:
    """Lowercase, no diacritics (đ → d), no punctuation, single spaces."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", text).split())


_PHRASE_WORDS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (intent, phrase, tuple(phrase.split())) for intent, phrases in PHRASES.items() for phrase in phrases
)
_VOCABULARY: frozenset[str] = frozenset(w for _i, _p, words in _PHRASE_WORDS for w in words)


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions ("hnag" → "hang" is one), stopping past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=4096)
def _near(word: str) -> dict[str, float]:
    """The vocabulary words this typed word may stand for, with a similarity in (0, 1]."""
    if word in _VOCABULARY:
        return {word: 1.0}
    if len(word) < 3:  # "do", "la": too short to guess a typo
        return {}
    limit = 1 if len(word) <= 5 else 2
    found = {}
    for known in _VOCABULARY:
        if len(known) >= 3:
            distance = _distance(word, known, limit)
            if distance <= limit:
                found[known] = 1 - distance / max(len(word), len(known))
    return found


def _phrase_score(near: list[dict[str, float]], target: tuple[str, ...]) -> float:
    """How well the phrase's words appear, in order and side by side, among the words typed."""
    best = 0.0
    for start in range(len(near) - len(target) + 1):
        total = 0.0
        for offset, word in enumerate(target):
            score = near[start + offset].get(word, 0.0)
            if score < 0.6:  # every word recognisable
                break
            total += score
        else:
            best = max(best, total / len(target))
    return best


def item_code_in(text: str) -> str | None:
    """The item's code in a question ("nếu 6,2 đạt tối đa" → "6.2"), or None."""
    match = _ITEM_CODE.search(text)
    return match.group(1).replace(",", ".") if match else None


def understand(text: str | None) -> Question | None:
    """The question asked, or None for anything that is not one (a number, a link, a greeting, a long text)."""
    if not text or len(text) > MAX_CHARS or text.startswith("/") or _LINK.search(text) or not _LETTER.search(text):
        return None
    item = item_code_in(text)
    folded = fold(_ITEM_CODE.sub(" ", text) if item else text)
    words = folded.split()
    if not words or len(words) > MAX_WORDS:
        return None
    if any(c.isdigit() for c in folded) and item is None:
        return None  # "12 người", "45/50": an answer typed, never a question
    near = [_near(w) for w in words]
    best, chosen = 0.0, None
    for intent, phrase, target in _PHRASE_WORDS:
        if phrase in _ALONE and folded != phrase:
            continue
        if phrase in _NEEDS_ITEM and item is None:
            continue
        score = _phrase_score(near, target)
        # short phrases must be spelt right; a longer phrase matched is more specific: prefer it on ties
        threshold = 0.99 if len(phrase) <= 4 else 0.8
        key = score + 0.001 * len(phrase)
        if score >= threshold and key > best:
            best, chosen = key, intent
    if item is not None:
        padded = f" {folded} "
        if chosen == "what_if" or any(f" {marker} " in padded for marker in _WHAT_IF_MARKERS):
            return Question("what_if", item)
        return None  # a code without a what-if: "6.2" alone is an answer, not a question
    if chosen is None:
        return None
    return Question(chosen)


def intent_of(text: str | None) -> str | None:
    question = understand(text)
    return question.intent if question else None
