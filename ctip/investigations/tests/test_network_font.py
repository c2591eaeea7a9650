"""Khmer in the network image: the drawing names the shipped Khmer font, and the exported
file embeds a subset of it holding the glyphs its Khmer text needs (an image opened on its
own reaches no site font; without one, Khmer is drawn as boxes)."""

import base64
import io
import re

from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

from ctip.investigations.drawing import svg
from ctip.investigations.fonts import FONT_FILE, khmer_characters
from ctip.investigations.selectors.network import Graph, Node


def _graph(label: str) -> Graph:
    graph = Graph()
    graph.nodes["person:1"] = Node("person:1", "person", label)
    graph.nodes["case:1"] = Node("case:1", "case", "KH-2026-000001")
    graph.add_edge("person:1", "case:1")
    return graph


def _embedded(drawing: str) -> TTFont | None:
    found = re.search(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)', drawing)
    if found is None:
        return None
    return TTFont(io.BytesIO(base64.b64decode(found.group(1))))


def test_exported_image_carries_the_khmer_glyphs_it_needs() -> None:
    label = "ចាន់ ដារា (ស្ត្រី)"  # a subscript consonant (្ត) needs the font's shaping rules
    drawing = svg(_graph(label), title="បណ្ដាញ", links=False, embed_font=True)
    assert 'font-family="Noto Sans Khmer, sans-serif"' in drawing
    font = _embedded(drawing)
    assert font is not None
    cmap = font.getBestCmap()
    needed = khmer_characters(label + "បណ្ដាញ")
    assert needed and all(ord(char) in cmap for char in needed)
    # Shaping survives the cut, and the cut is a subset: fewer glyphs than the shipped file.
    assert "GSUB" in font and "GPOS" in font
    shipped = TTFont(finders.find(FONT_FILE))
    assert len(font.getGlyphOrder()) < len(shipped.getGlyphOrder())
    assert ord("ឃ") not in cmap  # not in the text: not carried


def test_latin_only_image_and_the_page_carry_no_font() -> None:
    assert "@font-face" not in svg(_graph("Chan Dara"), title="Network", embed_font=True)
    # On the page the drawing is inline: the site's own @font-face serves it (and the CSP
    # allows no inline style), so nothing is embedded there.
    page = svg(_graph("ចាន់ ដារា"), title="Network")
    assert "@font-face" not in page and "<style" not in page
    assert 'font-family="Noto Sans Khmer, sans-serif"' in page
