"""An SVG diagram of a flow for reviewers, drawn in Python (no Graphviz or other tool).

Layered layout: a node's row is its longest distance from the start, so every arrow points down;
within a row, nodes sit in the average order of the nodes that lead to them (fewer crossings).
Small flows only: a few dozen nodes stay readable.
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..content.flows.graph import depths, topological
from ..content.flows.schema import Flow

BOX_W = 200
GAP_X = 28
GAP_Y = 78
LINE_H = 15
PAD = 10
MARGIN = 20
WRAP = 30
MAX_LINES = 5
LABEL_CHARS = 30
LANE_W = 24

COLOURS = {  # fill, stroke
    "question": ("#eef4fb", "#0b5394"),
    "go": ("#e8f5e9", "#2e7d32"),
    "caution": ("#fff4e5", "#8a4b00"),
    "stop": ("#fdeeee", "#b00020"),
}


@dataclass(frozen=True)
class _Box:
    node: str
    x: float
    y: float
    h: float
    lines: tuple[str, ...]
    style: str


@dataclass(frozen=True)
class _Layout:
    boxes: dict[str, _Box]
    # (question, option index) -> the points an arrow passes through between its two boxes:
    # one per row it crosses, so long arrows run in their own lane instead of through boxes.
    bends: dict[tuple[str, int], list[tuple[float, float]]]
    width: float
    height: float


def _lines(text: str) -> tuple[str, ...]:
    lines = textwrap.wrap(text, WRAP) or [""]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: WRAP - 1] + "…"]
    return tuple(lines)


def _text(flow: Flow, node: str, lang: str) -> tuple[str, str]:
    question = flow.questions.get(node)
    if question:
        return question.text.get(lang), "question"
    outcome = flow.outcomes.get(node)
    return (outcome.title.get(lang), outcome.level) if outcome else (node, "stop")


def _layout(flow: Flow, lang: str) -> _Layout:
    depth = depths(flow)
    rows: dict[int, list[str]] = {}
    for node in topological(flow):
        rows.setdefault(depth[node], []).append(node)
    # Lanes ("~q~i~row" items) for arrows that skip rows.
    parents: dict[str, list[tuple[str, float]]] = {}  # node -> (item above, option's share)
    lanes: dict[tuple[str, int], list[str]] = {}
    for qid, question in flow.questions.items():
        if qid not in depth:
            continue
        for i, option in enumerate(question.options):
            if option.next not in depth:
                continue
            prev = qid
            chain = []
            for d in range(depth[qid] + 1, depth[option.next]):
                lane = f"~{qid}~{i}~{d}"
                rows[d].append(lane)
                parents[lane] = [(prev, i / len(question.options) if prev == qid else 0.0)]
                chain.append(lane)
                prev = lane
            share = i / len(question.options) if prev == qid else 0.0
            lanes[(qid, i)] = chain
            parents.setdefault(option.next, []).append((prev, share))
    file_order = {n: i for i, n in enumerate([*flow.questions, *flow.outcomes])}
    position: dict[str, float] = {}
    for d in sorted(rows):
        def key(n: str) -> tuple[float, int]:
            # Average place of what leads here; an option's rank breaks ties between siblings.
            placed = [position[p] + 0.01 * share for p, share in parents.get(n, []) if p in position]
            return (sum(placed) / len(placed) if placed else 0.0, file_order.get(n, 0))

        rows[d].sort(key=key)
        for i, n in enumerate(rows[d]):
            position[n] = (i + 0.5) / len(rows[d])  # relative place in its row, 0..1

    def item_w(n: str) -> float:
        return LANE_W if n.startswith("~") else BOX_W

    width = max(sum(item_w(n) + GAP_X for n in r) - GAP_X for r in rows.values()) + 2 * MARGIN
    boxes: dict[str, _Box] = {}
    lane_x: dict[str, tuple[float, float, float]] = {}  # lane -> (x, top, bottom)
    y = float(MARGIN)
    for d in sorted(rows):
        row = rows[d]
        x = (width - (sum(item_w(n) + GAP_X for n in row) - GAP_X)) / 2
        heights = []
        for n in row:
            if not n.startswith("~"):
                text, style = _text(flow, n, lang)
                lines = _lines(text)
                h = 2 * PAD + LINE_H * (len(lines) + 1)
                boxes[n] = _Box(n, x, y, h, lines, style)
                heights.append(h)
            x += item_w(n) + GAP_X
        row_h = max(heights, default=LINE_H)
        x = (width - (sum(item_w(n) + GAP_X for n in row) - GAP_X)) / 2
        for n in row:
            if n.startswith("~"):
                lane_x[n] = (x + LANE_W / 2, y, y + row_h)
            x += item_w(n) + GAP_X
        y += row_h + GAP_Y
    bends = {}
    for key_, chain in lanes.items():
        points = []
        for lane in chain:
            lx, top, bottom = lane_x[lane]
            points += [(lx, top), (lx, bottom)]
        bends[key_] = points
    return _Layout(boxes, bends, width, y - GAP_Y + MARGIN)


def svg_size(flow: Flow, lang: str = "id") -> tuple[int, int]:
    layout = _layout(flow, lang)
    return round(layout.width), round(layout.height)


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _bezier(a: tuple[float, float], b: tuple[float, float], t: float) -> float:
    """x of the vertical-tangent cubic from a to b at parameter t."""
    return (1 - t) ** 3 * a[0] + 3 * (1 - t) ** 2 * t * a[0] + 3 * (1 - t) * t**2 * b[0] + t**3 * b[0]


def _path(points: list[tuple[float, float]]) -> str:
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for a, b in itertools.pairwise(points):
        if a[0] == b[0]:
            d += f" L{b[0]:.1f},{b[1]:.1f}"
        else:
            mid = (b[1] - a[1]) / 2
            d += f" C{a[0]:.1f},{a[1] + mid:.1f} {b[0]:.1f},{b[1] - mid:.1f} {b[0]:.1f},{b[1]:.1f}"
    return d


def flow_svg(flow: Flow, lang: str) -> bytes:
    """The diagram as a standalone SVG document (UTF-8), with a title and a description."""
    layout = _layout(flow, lang)
    boxes = layout.boxes
    width, height = round(layout.width), round(layout.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="t">{escape(flow.title.get(lang))}</title>',
        f'<desc id="d">{len(flow.questions)} questions, {len(flow.outcomes)} outcomes</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#444"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#fff"/>',
    ]
    incoming: dict[str, int] = {}
    seen_in: dict[str, int] = {}
    for question in flow.questions.values():
        for option in question.options:
            incoming[option.next] = incoming.get(option.next, 0) + 1
    edges, labels = [], []
    for qid, question in flow.questions.items():
        src = boxes.get(qid)
        if src is None:
            continue
        n = len(question.options)
        for i, option in enumerate(question.options):
            dst = boxes.get(option.next)
            if dst is None:
                continue
            k = seen_in.get(option.next, 0)
            seen_in[option.next] = k + 1
            start = (src.x + BOX_W * (i + 1) / (n + 1), src.y + src.h)
            end = (dst.x + BOX_W * (k + 1) / (incoming[option.next] + 1), dst.y - 2)
            points = [start, *layout.bends.get((qid, i), []), end]
            edges.append(f'<path d="{_path(points)}" fill="none" stroke="#444" marker-end="url(#arrow)"/>')
            # Labels of one question stand on staggered lines just below it, on their own arrow.
            ly = start[1] + 14 + 15 * i
            t = min(1.0, (ly - 4 - start[1]) / max(1.0, points[1][1] - start[1]))
            lx = _bezier(start, points[1], t)
            text = _label(option.label.get(lang))
            w = 6.2 * len(text) + 6
            lx = min(max(lx, w / 2 + 2), width - w / 2 - 2)
            labels.append(f'<rect x="{lx - w / 2:.1f}" y="{ly - 11:.1f}" width="{w:.1f}" height="15" '
                          f'fill="#fff" fill-opacity="0.9"/><text x="{lx:.1f}" y="{ly:.1f}" '
                          f'text-anchor="middle" fill="#222">{escape(text)}</text>')
    for node, box in boxes.items():
        fill, stroke = COLOURS[box.style]
        stroke_w = 3 if node == flow.start else 1.5
        radius = 4 if box.style == "question" else 12
        out.append(f'<g id={quoteattr("node-" + node)}><rect x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_W}" '
                   f'height="{box.h:.1f}" rx="{radius}" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{stroke_w}"/>')
        out.append(f'<text x="{box.x + PAD:.1f}" y="{box.y + PAD + 10:.1f}" font-family="monospace" '
                   f'font-size="10" fill="#555">{escape(node)}</text>')
        out.extend(f'<text x="{box.x + PAD:.1f}" y="{box.y + PAD + 10 + LINE_H * (j + 1):.1f}" '
                   f'fill="#111">{escape(line)}</text>' for j, line in enumerate(box.lines))
        out.append("</g>")
    out += edges + labels + ["</svg>"]
    return ("\n".join(out) + "\n").encode("utf-8")
