"""The Khmer font the exported network image carries: a subset of the shipped Noto Sans Khmer
(decision 0102) holding only the glyphs the image's Khmer text needs, embedded as a data URI.

An SVG file opened on its own (an image viewer, a browser tab, a report) has no access to the
site's fonts, and many office PCs have no Khmer font: without one, Khmer labels are boxes.
"""

import base64
import io
from functools import lru_cache

from django.contrib.staticfiles import finders
from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Noto Sans Khmer"
# The shipped file, found like any static file (it belongs to the web app's static).
FONT_FILE = "web/fonts/noto-sans-khmer-khmer-400-normal.woff2"
# The subset's unicode-range in ctip.css: Khmer, Khmer symbols, the joiners, the dotted circle
# (shown under a stray combining mark).
KHMER_RANGES = ((0x1780, 0x17FF), (0x19E0, 0x19FF), (0x200C, 0x200D), (0x25CC, 0x25CC))


def is_khmer(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in KHMER_RANGES)


def khmer_characters(text: str) -> frozenset[str]:
    return frozenset(char for char in text if is_khmer(char))


@lru_cache(maxsize=64)
def subset_woff2(characters: frozenset[str]) -> bytes:
    """The shipped font cut down to `characters`, WOFF2. Khmer is shaped (subscript
    consonants, vowel signs placed around the base), so every layout feature is kept and the
    subsetter follows them to the glyphs they substitute; the dotted circle comes too."""
    path = finders.find(FONT_FILE)
    if not path:
        raise FileNotFoundError(FONT_FILE)
    font = TTFont(path)
    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff2"
    options.name_IDs = ["*"]  # keep the copyright and licence names (SIL OFL)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters} | {0x25CC}))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def font_face(text: str) -> str:
    """An @font-face rule embedding the glyphs `text` needs; "" when it has no Khmer."""
    characters = khmer_characters(text)
    if not characters:
        return ""
    data = base64.b64encode(subset_woff2(characters)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
        f'src: url("data:font/woff2;base64,{data}") format("woff2"); }}'
    )
