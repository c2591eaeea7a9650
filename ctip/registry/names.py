"""Search keys for names: one spelling-tolerant key per name part, in either script.

Khmer names reach Latin letters through many romanisations (Sokha/Sokhar, Chhay/Chay,
Srey/Srei, Vuthy/Vuthi) and family-name order varies. Each name part is reduced to a
skeleton: Khmer script is romanised first, then spelling differences that carry no
meaning are removed (aspiration marks, final r, y/i, u/o, doubled letters). Stored keys
are the sorted set of skeletons, so word order does not matter. The names themselves
stay encrypted; docs/decisions/0004-person-search-keys.md says what the keys reveal.
"""

import re
import unicodedata

from .crypto import blind_index

KHMER_CONSONANTS = {
    "ក": "k",
    "ខ": "kh",
    "គ": "k",
    "ឃ": "kh",
    "ង": "ng",
    "ច": "ch",
    "ឆ": "chh",
    "ជ": "ch",
    "ឈ": "chh",
    "ញ": "nh",
    "ដ": "d",
    "ឋ": "th",
    "ឌ": "d",
    "ឍ": "th",
    "ណ": "n",
    "ត": "t",
    "ថ": "th",
    "ទ": "t",
    "ធ": "th",
    "ន": "n",
    "ប": "b",
    "ផ": "ph",
    "ព": "p",
    "ភ": "ph",
    "ម": "m",
    "យ": "y",
    "រ": "r",
    "ល": "l",
    "វ": "v",
    "ស": "s",
    "ហ": "h",
    "ឡ": "l",
    "អ": "",
}
KHMER_VOWELS = {
    "ា": "a",
    "ិ": "i",
    "ី": "ei",
    "ឹ": "oe",
    "ឺ": "eu",
    "ុ": "o",
    "ូ": "ou",
    "ួ": "uo",
    "ើ": "aeu",
    "ឿ": "oea",
    "ៀ": "ie",
    "េ": "e",
    "ែ": "ae",
    "ៃ": "ai",
    "ោ": "ao",
    "ៅ": "au",
    "ុំ": "om",
    "ំ": "m",
    "ាំ": "am",
    "ះ": "h",
    "ៈ": "a",
}
KHMER_INDEPENDENT_VOWELS = {
    "ឥ": "e",
    "ឦ": "ei",
    "ឧ": "o",
    "ឩ": "ou",
    "ឪ": "ov",
    "ឫ": "rue",
    "ឬ": "rue",
    "ឭ": "lue",
    "ឮ": "lue",
    "ឯ": "ae",
    "ឰ": "ai",
    "ឱ": "ao",
    "ឲ": "ao",
    "ឳ": "au",
}
COENG = "\u17d2"
KHMER_SIGNS = set("\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0\u17d1\u17d3\u17dd\u200b")
KHMER_RANGE = re.compile(r"[\u1780-\u17ff]")

# Order matters: longer patterns first.
LATIN_RULES: list[tuple[str, str]] = [
    ("chh", "c"),
    ("ch", "c"),
    ("kh", "k"),
    ("ph", "p"),
    ("th", "t"),
    ("sh", "s"),
    ("gh", "g"),
    ("nh", "n"),
    ("ey", "i"),
    ("ei", "i"),
    ("ee", "i"),
    ("y", "i"),
    ("ea", "a"),
    ("ou", "o"),
    ("oo", "o"),
    ("uo", "o"),
    ("u", "o"),
    ("w", "v"),
    ("z", "s"),
    ("bp", "p"),
    ("dt", "t"),
]


def is_khmer(text: str) -> bool:
    return bool(KHMER_RANGE.search(text))


def _inherent_vowel_follows(chars: list[str], i: int) -> bool:
    """Whether consonant i carries the unwritten vowel: it is followed by a consonant that
    closes the syllable (one at the word's end or before another consonant)."""
    following = chars[i + 1] if i + 1 < len(chars) else ""
    if following not in KHMER_CONSONANTS:
        return False
    after = chars[i + 2] if i + 2 < len(chars) else ""
    return after == "" or after in KHMER_CONSONANTS or after == COENG


def romanise_khmer(word: str) -> str:
    """A plain romanisation of one Khmer word, good enough to meet its Latin spellings."""
    out: list[str] = []
    chars = [c for c in unicodedata.normalize("NFC", word) if c not in KHMER_SIGNS]
    i = 0
    while i < len(chars):
        char = chars[i]
        pair = "".join(chars[i : i + 2])
        if char in KHMER_CONSONANTS:
            out.append(KHMER_CONSONANTS[char])
            if _inherent_vowel_follows(chars, i):
                out.append("a")
        elif pair in KHMER_VOWELS:
            out.append(KHMER_VOWELS[pair])
            i += 1
        elif char in KHMER_VOWELS:
            out.append(KHMER_VOWELS[char])
        elif char in KHMER_INDEPENDENT_VOWELS:
            out.append(KHMER_INDEPENDENT_VOWELS[char])
        elif char == COENG:
            pass
        elif char.isascii() and char.isalpha():
            out.append(char.lower())
        i += 1
    return "".join(out)


def skeleton(word: str) -> str:
    """The spelling-tolerant key of one name part."""
    if is_khmer(word):
        word = romanise_khmer(word)
    text = unicodedata.normalize("NFKD", word.lower())
    text = "".join(c for c in text if "a" <= c <= "z")
    if len(text) > 2 and text.endswith("r") and text[-2] in "aeiouy":
        text = text[:-1]  # Sokhar/Sokha: a final r marks vowel length in romanisation only
    for pattern, replacement in LATIN_RULES:
        text = text.replace(pattern, replacement)
    text = re.sub(r"(.)\1+", r"\1", text)
    if len(text) > 2 and text.endswith("h"):
        text = text[:-1]
    return text


def name_parts(*names: str) -> list[str]:
    """Split names into parts on spaces, hyphens and Khmer word breaks."""
    parts: list[str] = []
    for name in names:
        if name:
            parts.extend(p for p in re.split(r"[\s\-\u200b,.'\u2019]+", name) if p)
    return parts


def name_keys(*names: str) -> str:
    """The stored key string: sorted unique skeletons, padded with spaces for whole-key matches."""
    keys = sorted({key for key in (skeleton(part) for part in name_parts(*names)) if key})
    return f" {' '.join(keys)} " if keys else ""


def query_keys(query: str) -> list[str]:
    """Skeletons of the parts of a search query, in the order typed."""
    keys = [skeleton(part) for part in name_parts(query)]
    return [key for key in keys if key]


def document_number_index(number: str) -> str:
    """Blind index of a document number, ignoring spaces, dashes and case."""
    normalised = "".join(ch for ch in number.upper() if ch.isalnum())
    return blind_index(normalised, purpose="document")
