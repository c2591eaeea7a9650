"""The network view drawn on the server as SVG: a force-directed layout (networkx) per
connected group, groups packed in rows, biggest first.

Drawn on the server so that nothing runs in the browser (the site's CSP allows no inline
script or style) and the page and the exported image are the same file. Colours and sizes
are SVG presentation attributes, not styles, so the CSP does not touch them and the image
reads the same when opened on its own.

Khmer: the text names the shipped Noto Sans Khmer first (decision 0102). On the page the
drawing is inline, so the site's @font-face serves it; the exported file embeds a subset of
the same font holding only the glyphs its Khmer needs (fonts.py), since a file opened on its
own reaches no site font and many PCs have no Khmer one (labels drawn as boxes otherwise).
"""

import math
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
from django.utils.translation import gettext as _

from .choices import IdentifierKind
from .fonts import FAMILY, font_face
from .selectors.network import Graph, Node

# Okabe-Ito colours: told apart by readers with the common colour-vision deficiencies.
COLOURS = {
    "case": "#0072B2",
    "person": "#D55E00",
    "organisation": "#009E73",
    "compound": "#CC79A7",
    IdentifierKind.PHONE: "#E69F00",
    IdentifierKind.EMAIL: "#56B4E9",
    IdentifierKind.ACCOUNT: "#F0E442",
    IdentifierKind.WEBSITE: "#999999",
    IdentifierKind.BANK_ACCOUNT: "#000000",
    IdentifierKind.CRYPTO_WALLET: "#7F3C8D",
    IdentifierKind.VEHICLE: "#8C564B",
    IdentifierKind.ADDRESS: "#6A3D9A",
}
UNIT = 46.0  # pixels per unit of layout distance, roughly one node's room
LABEL_CHARS = 26
WIDTH = 1200
MIN_WIDTH = 720.0
MARGIN = 60.0  # room for the labels of nodes on the edge (centred under their node)


def _box(count: int) -> float:
    """The side of the square a group of `count` nodes is laid out in."""
    return UNIT * 2.2 * math.sqrt(max(count, 1)) + UNIT


def layout(graph: Graph) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions of the nodes, and the drawing's width and height."""
    g = nx.Graph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from(graph.edges)
    groups = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for group in groups:
        side = _box(len(group))
        if x > 0 and x + side > WIDTH:
            x, y, row_height = 0.0, y + row_height, 0.0
        if len(group) == 1:
            local = {next(iter(group)): (0.0, 0.0)}
        else:
            sub = g.subgraph(group)
            # A fixed seed: the same network is drawn the same way every time.
            local = nx.spring_layout(sub, seed=7, iterations=120, k=1.6 / math.sqrt(len(group)))
        half = (side - UNIT) / 2
        for key, (px, py) in local.items():
            positions[key] = (
                x + UNIT / 2 + half + float(px) * half,
                y + UNIT / 2 + half + float(py) * half,
            )
        x += side
        row_height = max(row_height, side)
    content = WIDTH if len(groups) > 1 else x
    # At least MIN_WIDTH wide, the drawing centred: a small network is not blown up to the
    # page's width, and the key's four columns have room for their (Khmer) words.
    width = max(content + 2 * MARGIN, MIN_WIDTH)
    shift = (width - content) / 2
    positions = {key: (px + shift, py) for key, (px, py) in positions.items()}
    return positions, width, y + row_height + 40


def _shape(node: Node, cx: float, cy: float) -> str:
    colour = COLOURS.get(node.group if node.kind == "identifier" else node.kind, "#444444")
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    if node.kind == "case":
        return f'<rect x="{cx - 9:.1f}" y="{cy - 9:.1f}" width="18" height="18" rx="3" {common}/>'
    if node.kind == "organisation":
        points = f"{cx},{cy - 11} {cx + 11},{cy} {cx},{cy + 11} {cx - 11},{cy}"
        return f'<polygon points="{points}" {common}/>'
    if node.kind == "compound":
        points = " ".join(
            f"{cx + 12 * math.cos(a):.1f},{cy + 12 * math.sin(a):.1f}"
            for a in (math.pi / 3 * i for i in range(6))
        )
        return f'<polygon points="{points}" {common}/>'
    radius = 9 if node.kind == "person" else 7
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" {common}/>'


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def legend() -> list[tuple[str, Any]]:
    """(colour, label) of each node type, for the page's key and the image's."""
    return [
        (COLOURS["case"], _("Case")),
        (COLOURS["person"], _("Person")),
        (COLOURS["organisation"], _("Organisation")),
        (COLOURS["compound"], _("Compound")),
        *((COLOURS[kind], label) for kind, label in IdentifierKind.choices),
    ]


def svg(graph: Graph, *, title: str, links: bool = True, embed_font: bool = False) -> str:
    """The drawing as an SVG document (links to each node's page when `links`; with
    `embed_font`, the Khmer glyphs it needs travel inside it, for a file on its own)."""
    positions, width, height = layout(graph)
    legend_rows = legend()
    key_height = 22 * ((len(legend_rows) + 3) // 4) + 10
    total = height + key_height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {total:.0f}" '
        f'width="{width:.0f}" height="{total:.0f}" role="img" aria-labelledby="network-title" '
        f'font-family="{FAMILY}, sans-serif" font-size="11">',
        f'<title id="network-title">{escape(title)}</title>',
    ]
    if embed_font:
        labels = [node.label for node in graph.nodes.values()]
        text = " ".join([title, *labels, *(str(label) for _colour, label in legend_rows)])
        face = font_face(text)
        if face:
            out.append(f"<defs><style>{face}</style></defs>")
    out += [
        f'<rect x="0" y="0" width="{width:.0f}" height="{total:.0f}" fill="#ffffff"/>',
        '<g stroke="#9aa5b1" stroke-width="1">',
    ]
    for a, b in sorted(graph.edges):
        if a in positions and b in positions:
            (x1, y1), (x2, y2) = positions[a], positions[b]
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    out.append("</g>")
    for key, node in graph.nodes.items():
        cx, cy = positions[key]
        label = escape(_short(node.label))
        body = (
            f"<title>{escape(node.label)}</title>{_shape(node, cx, cy)}"
            f'<text x="{cx:.1f}" y="{cy + 22:.1f}" text-anchor="middle" fill="#1f2933">'
            f"{label}</text>"
        )
        if links and node.url:
            out.append(
                f"<a href={quoteattr(node.url)} data-node={quoteattr(key)} "
                f'class="network-node">{body}</a>'
            )
        else:
            out.append(f"<g data-node={quoteattr(key)}>{body}</g>")
    y0 = height
    for i, (colour, label) in enumerate(legend_rows):
        x = 10 + (i % 4) * (width / 4)
        y = y0 + 22 * (i // 4)
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" fill="{colour}"/>')
        out.append(
            f'<text x="{x + 18:.0f}" y="{y + 10:.0f}" fill="#1f2933">{escape(str(label))}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
