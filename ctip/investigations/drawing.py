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
import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
# Rounds of pushing overlapping labels apart before a crowded group is put on a grid instead.
SPREAD_ROUNDS = 120


def _box(count: int) -> float:
    """The side of the square a group of `count` nodes is first spread over."""
    return UNIT * 2.2 * math.sqrt(max(count, 1)) + UNIT


def label_width(text: str) -> float:
    """A generous estimate of a label's width in pixels at the drawing's 11 px (no font
    metrics on the server: Latin averages under 6.5 px a character, a Khmer consonant with
    its marks under 7 per code point)."""
    return 7.0 * len(_short(text)) + 6


def _footprint(node: Node) -> tuple[float, float, float]:
    """Half the width, the height above and the height below the node's centre that its
    shape and label (centred under it) take."""
    return max(label_width(node.label) / 2, 14.0), 14.0, 30.0


def _spread(
    keys: list[str],
    points: dict[str, tuple[float, float]],
    boxes: dict[str, tuple[float, float, float]],
) -> dict[str, tuple[float, float]]:
    """Move nodes apart until no two footprints overlap (labels never drawn over each
    other): each overlapping pair is pushed apart along the axis it overlaps least."""
    if len(keys) < 2:
        return points
    pos = np.array([points[k] for k in keys], dtype=float)
    half = np.array([boxes[k][0] for k in keys])
    above = np.array([boxes[k][1] for k in keys])
    below = np.array([boxes[k][2] for k in keys])
    # A tiny, fixed tilt by index: nodes at one spot still have a direction to part in.
    pos += np.stack([np.arange(len(keys)) * 1e-3, np.arange(len(keys)) * 7e-4], axis=1)
    gap = 4.0
    # Pushing costs n² a round: a big group gets few rounds before the grid takes over.
    for _round in range(SPREAD_ROUNDS if len(keys) <= 100 else SPREAD_ROUNDS // 5):
        x, y = pos[:, 0], pos[:, 1]
        over_x, over_y, clash = _overlaps(pos, half, above, below, gap)
        if not clash.any():
            break
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        # Labels are wide and low: parting vertically usually costs less room.
        along_x = clash & (over_x < over_y)
        along_y = clash & ~along_x
        push = np.zeros_like(pos)
        push[:, 0] = (np.where(along_x, np.sign(dx + 1e-9) * over_x, 0.0) / 2 * 1.05).sum(1)
        push[:, 1] = (np.where(along_y, np.sign(dy + 1e-9) * over_y, 0.0) / 2 * 1.05).sum(1)
        pos += push
    else:
        # Still crowded (a big dense group): each node takes the free grid cell, sized for
        # the widest footprint, nearest to where it is, the centre's nodes first.
        return _snap(keys, pos, half, above + below + gap, gap)
    return {k: (float(pos[i, 0]), float(pos[i, 1])) for i, k in enumerate(keys)}


def _overlaps(pos: Any, half: Any, above: Any, below: Any, gap: float) -> tuple[Any, Any, Any]:
    """For every two footprints, by how much they overlap across and down (plus the gap),
    and whether they clash (overlap both ways; a node never clashes with itself)."""
    x, y = pos[:, 0], pos[:, 1]
    over_x = np.minimum((x + half)[:, None], (x + half)[None, :]) - np.maximum(
        (x - half)[:, None], (x - half)[None, :]
    )
    over_y = np.minimum((y + below)[:, None], (y + below)[None, :]) - np.maximum(
        (y - above)[:, None], (y - above)[None, :]
    )
    over_x += gap
    over_y += gap
    clash = (over_x > 0) & (over_y > 0)
    np.fill_diagonal(clash, False)
    return over_x, over_y, clash


def _clashes(
    keys: list[str],
    points: dict[str, tuple[float, float]],
    boxes: dict[str, tuple[float, float, float]],
    gap: float = 4.0,
) -> bool:
    """Whether any two footprints (shape and label) overlap."""
    pos = np.array([points[k] for k in keys], dtype=float)
    half = np.array([boxes[k][0] for k in keys])
    above = np.array([boxes[k][1] for k in keys])
    below = np.array([boxes[k][2] for k in keys])
    return bool(_overlaps(pos, half, above, below, gap)[2].any())


# Enlargements of the spring layout tried before nodes are placed one by one: more would
# clear more networks whole, but shrink the labels of a drawing fitted to the page.
FIT_SCALES = (1.0, 1.25)
PLACE_MAX_NODES = 150


def _place(
    keys: list[str],
    points: dict[str, tuple[float, float]],
    boxes: dict[str, tuple[float, float, float]],
) -> dict[str, tuple[float, float]]:
    """Place the nodes, the group's centre first, each where the layout put it or at the
    nearest spot around it where its footprint (shape and label) overlaps no node placed
    before: labels never overlap and the layout's shape is kept. It costs a search per node
    against those placed, so only groups up to PLACE_MAX_NODES take it."""
    if len(keys) < 2:
        return points
    pos = np.array([points[k] for k in keys], dtype=float)
    half = np.array([boxes[k][0] for k in keys])
    above = np.array([boxes[k][1] for k in keys])
    below = np.array([boxes[k][2] for k in keys])
    gap, step = 4.0, 8.0
    order = np.argsort(((pos - pos.mean(axis=0)) ** 2).sum(axis=1), kind="stable")
    placed: list[int] = []
    out = pos.copy()
    for i in order:
        want = pos[i]
        if placed:
            p = np.array(placed)
            ring = 0
            while True:
                if ring == 0:
                    offsets = np.zeros((1, 2))
                else:
                    side = np.arange(-ring, ring + 1)
                    offsets = np.concatenate(
                        [
                            np.stack([side, np.full_like(side, -ring)], axis=1),
                            np.stack([side, np.full_like(side, ring)], axis=1),
                            np.stack([np.full_like(side[1:-1], -ring), side[1:-1]], axis=1),
                            np.stack([np.full_like(side[1:-1], ring), side[1:-1]], axis=1),
                        ]
                    ).astype(float)
                spots = want + offsets * step
                apart_x = np.abs(spots[:, 0:1] - out[p, 0][None, :]) >= half[i] + half[p] + gap
                apart_y = (spots[:, 1:2] + below[i] + gap <= out[p, 1][None, :] - above[p]) | (
                    out[p, 1][None, :] + below[p] + gap <= spots[:, 1:2] - above[i]
                )
                free = (apart_x | apart_y).all(axis=1)
                if free.any():
                    choices = spots[free]
                    out[i] = choices[((choices - want) ** 2).sum(axis=1).argmin()]
                    break
                ring += 1
        placed.append(int(i))
    return {k: (float(out[i, 0]), float(out[i, 1])) for i, k in enumerate(keys)}


def _fit(
    keys: list[str],
    points: dict[str, tuple[float, float]],
    boxes: dict[str, tuple[float, float, float]],
) -> dict[str, tuple[float, float]]:
    """The spring layout enlarged just enough that no labels overlap, which keeps its shape
    (pushing nodes apart, or a grid, lines a small network up so that its links run over one
    another); a group no enlargement clears gets each node at the nearest free spot
    (_place), and a big one is parted by _spread."""
    for scale in FIT_SCALES:
        scaled = {k: (x * scale, y * scale) for k, (x, y) in points.items()}
        if not _clashes(keys, scaled, boxes):
            return scaled
    if len(keys) <= PLACE_MAX_NODES:
        return _place(keys, {k: (x * 1.25, y * 1.25) for k, (x, y) in points.items()}, boxes)
    return _spread(keys, points, boxes)


def _snap(
    keys: list[str], pos: Any, half: Any, height: Any, gap: float
) -> dict[str, tuple[float, float]]:
    cell_w, cell_h = float(2 * half.max() + gap), float(height.max())
    centre = pos.mean(axis=0)
    order = np.argsort(((pos - centre) ** 2).sum(axis=1), kind="stable")
    taken: set[tuple[int, int]] = set()
    out: dict[str, tuple[float, float]] = {}
    for i in order:
        fx, fy = pos[i, 0] / cell_w, pos[i, 1] / cell_h
        gx, gy = round(fx), round(fy)
        ring = 0
        while True:
            free = [
                (gx + dx, gy + dy)
                for dx in range(-ring, ring + 1)
                for dy in range(-ring, ring + 1)
                if max(abs(dx), abs(dy)) == ring and (gx + dx, gy + dy) not in taken
            ]
            if free:
                cell = min(free, key=lambda c: ((c[0] - fx) ** 2 + (c[1] - fy) ** 2, c))
                break
            ring += 1
        taken.add(cell)
        out[keys[i]] = (cell[0] * cell_w, cell[1] * cell_h)
    return out


def layout(graph: Graph) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions of the nodes, and the drawing's width and height."""
    g = nx.Graph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from(graph.edges)
    groups = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    boxes = {key: _footprint(node) for key, node in graph.nodes.items()}
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for group in groups:
        keys = sorted(group)
        if len(group) == 1:
            local = {keys[0]: (0.0, 0.0)}
        else:
            sub = g.subgraph(group)
            # A fixed seed: the same network is drawn the same way every time.
            spring = nx.spring_layout(sub, seed=7, iterations=120, k=1.6 / math.sqrt(len(group)))
            # Spread over at least the room the footprints need side by side, so that
            # parting them (below) moves them a little rather than the whole group.
            room = sum(4 * boxes[k][0] * (boxes[k][1] + boxes[k][2]) for k in keys)
            half = max((_box(len(group)) - UNIT) / 2, 0.6 * math.sqrt(room))
            local = _fit(
                keys,
                {k: (float(spring[k][0]) * half, float(spring[k][1]) * half) for k in keys},
                boxes,
            )
        left = min(px - boxes[k][0] for k, (px, _py) in local.items())
        right = max(px + boxes[k][0] for k, (px, _py) in local.items())
        top = min(py - boxes[k][1] for k, (_px, py) in local.items())
        bottom = max(py + boxes[k][2] for k, (_px, py) in local.items())
        w, h = right - left + 8, bottom - top + 8
        if x > 0 and x + w > WIDTH:
            x, y, row_height = 0.0, y + row_height, 0.0
        for key, (px, py) in local.items():
            positions[key] = (x + 4 + px - left, y + 4 + py - top)
        x += w
        row_height = max(row_height, h)
    content = max((px + boxes[k][0] for k, (px, _py) in positions.items()), default=0.0)
    # At least MIN_WIDTH wide, the drawing centred: a small network is not blown up to the
    # page's width, and the key's four columns have room for their (Khmer) words.
    width = max(content + 2 * MARGIN, MIN_WIDTH)
    shift = (width - content) / 2
    positions = {key: (px + shift, py + MARGIN / 2) for key, (px, py) in positions.items()}
    return positions, width, y + row_height + MARGIN / 2 + 20


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
    if node.kind == "person" and node.records > 1:
        # One identity's records: a wider ring with their number inside.
        return (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="12" {common}/>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="14.5" fill="none" stroke="{colour}" '
            'stroke-width="1.5"/>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" fill="#ffffff" '
            f'font-weight="bold">{node.records}</text>'
        )
    radius = 9 if node.kind == "person" else 7
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" {common}/>'


def stands_for(node: Node) -> str:
    """What a person node merging one identity's records stands for ("" for one record)."""
    if node.records < 2:
        return ""
    return ngettext(
        "%(records)d records of one person, in %(cases)d case",
        "%(records)d records of one person, in %(cases)d cases",
        node.cases,
    ) % {"records": node.records, "cases": node.cases}


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
    # As many columns as the longest entry leaves room for (4 at most): a long entry
    # ("Social-media or messaging account", or its Khmer) ran into the next column.
    widest = max(7.0 * len(str(label)) + 30 for _colour, label in legend_rows)
    columns = max(1, min(4, int((width - 10) // widest)))
    key_height = 22 * -(-len(legend_rows) // columns) + 10
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
        full = f"{node.label} — {stands_for(node)}" if node.records > 1 else node.label
        body = (
            f"<title>{escape(full)}</title>{_shape(node, cx, cy)}"
            # A white halo under the letters: an edge passing behind a label does not cut it.
            f'<text x="{cx:.1f}" y="{cy + 26:.1f}" text-anchor="middle" fill="#1f2933" '
            'stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round" '
            f'class="node-label">{label}</text>'
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
        x = 10 + (i % columns) * ((width - 10) / columns)
        y = y0 + 22 * (i // columns)
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" fill="{colour}"/>')
        out.append(
            f'<text x="{x + 18:.0f}" y="{y + 10:.0f}" fill="#1f2933" class="legend-label">'
            f"{escape(str(label))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
