"""Questions typed in plain words: "hạng của tôi?", "xep hang", "chỉ số nào yếu nhất", "tiến độ",
"bao giờ hết hạn" — with or without diacritics, in any case, with small typos."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# intent -> phrases (written without diacritics; input is folded the same way)
PHRASES: dict[str, tuple[str, ...]] = {
    "rank": ("xep hang", "hang cua toi", "hang may", "thu hang", "dung thu may", "vi tri xep hang", "hang"),
    "weakest": ("chi so yeu", "yeu nhat", "chi so nao yeu", "mat diem", "diem thap", "yeu"),
    "progress": ("tien do", "bao nhieu don vi", "don vi nao cham", "ai chua nop", "da nop chua"),
    "deadline": (
        "bao gio het han",
        "het han",
        "han chot",
        "han nop",
        "deadline",
        "con bao nhieu ngay",
        "khi nao het han",
    ),
    "overview": ("tong quan", "tong hop diem", "tinh hinh chung"),
    "assess": ("tu danh gia", "lam tiep", "tra loi tiep", "tiep tuc"),
    "help": ("huong dan", "tro giup", "giup toi", "lam gi", "help"),
}
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase, no diacritics (đ → d), no punctuation, single spaces."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", text).split())


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _phrase_score(words: list[str], phrase: str) -> float:
    """How well the phrase's words appear, in order, among the words typed (typos tolerated)."""
    target = phrase.split()
    best = 0.0
    for start in range(len(words) - len(target) + 1):
        window = words[start : start + len(target)]
        scores = [_similar(w, t) for w, t in zip(window, target, strict=True)]
        if min(scores) >= 0.6:  # every word recognisable; one typo costs a little of the average
            best = max(best, sum(scores) / len(scores))
    return best


def intent_of(text: str) -> str | None:
    words = fold(text).split()
    if not words or len(words) > 12:
        return None
    best, chosen = 0.0, None
    for intent, phrases in PHRASES.items():
        for phrase in phrases:
            score = _phrase_score(words, phrase)
            # a longer phrase matched is more specific: prefer it on ties
            key = score + 0.001 * len(phrase)
            threshold = 0.99 if len(phrase) <= 4 else 0.8
            if score >= threshold and key > best:
                best, chosen = key, intent
    return chosen
