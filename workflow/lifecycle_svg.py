"""A lifecycle drawn as SVG on the server, laid out from its declaration.

The page shows the drawing as inline SVG: no script draws it and no style is written
into the page (the stylesheet colours it through the classes set here), so the page
keeps the site's strict Content-Security-Policy and shows the drawing without
JavaScript.

The layout is a small layered drawing (after Sugiyama et al.):

1. every state-changing trigger gives one edge per source state; the edges that go
   back (into the initial state, out of a terminal state, and those closing a cycle
   when walking the declaration from the initial state) are set aside as back edges;
2. each state gets a level: the longest path to it from the initial state along the
   remaining edges (a state only reached by a back edge, such as ``reopened``, sits
   just above the first state it leads to);
3. between two levels lies a row of action labels; the edges of one trigger into one
   state are bundled and labelled once, and an edge passing a row goes through a
   point of its own there, so that no line crosses a box;
4. the order within each row is chosen to reduce crossings (barycentres, keeping the
   best of several sweeps), and the horizontal positions settle each point near the
   average of its neighbours, keeping the order and the spacing;
5. edges are drawn as curves with vertical tangents through their points; back
   edges carry the class ``back``.

Nothing here knows a language: the caller passes the words (``state_labels``,
``trigger_labels``, ``title``, ``description``). Text widths are estimated from
the characters (on the generous side), as no font is at hand on the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

from workflow.lifecycle import Lifecycle

STATE_FONT = 16  # user units; drawn at about 1.2 px per unit on a 1,280 px wide page
LABEL_FONT = 14
STATE_LINE = 20
LABEL_LINE = 17
STATE_TEXT_WIDTH = 180  # a state's name wraps beyond this width
LABEL_TEXT_WIDTH = 200  # an action's label wraps beyond this width
BOX_PAD = 12
GAP = 26  # between two boxes or labels of one row
THIN_GAP = 10  # next to a line passing through a row
ROW_GAP = 24
MARGIN = 12
LOOP_ROOM = 40  # a trigger that keeps the state drawn as a loop on the box's right
START_ROOM = 34  # above the initial state: the start dot and its arrow
MIN_WIDTH = 1100  # a small lifecycle is not blown up to the page's width
SWEEPS = 12
VIA_WEIGHT = 3.0  # a line's point moves less readily than a box to make room
COLUMN_PULL = 6.0  # how strongly a bundle's points line up, against their neighbours
SETTLE_ROUNDS = 30


@dataclass(frozen=True)
class Edge:
    source: str
    dest: str
    trigger: str


@dataclass
class _Item:
    """A box (state), a label (one bundle's action) or a point a line passes through."""

    key: tuple
    kind: str  # "state", "label" or "via"
    rank: int
    width: float
    height: float = 0.0
    lines: tuple[str, ...] = ()
    extra: float = 0.0  # room kept right of a box for the loops of its own triggers
    x: float = 0.0  # centre
    y: float = 0.0  # centre
    top: float = 0.0  # where lines enter and leave it (for a point: its row's band)
    bottom: float = 0.0
    up: set = field(default_factory=set)  # keys of the items one row above it is joined to
    down: set = field(default_factory=set)


@dataclass(frozen=True)
class _Bundle:
    """The edges of one trigger into one state, in one direction of the layout."""

    trigger: str
    target: str  # the state the arrows point at
    back: bool


def edges(lifecycle: Lifecycle) -> list[Edge]:
    """One edge per state-changing trigger and source state, in declaration order."""
    found: list[Edge] = []
    for trig in lifecycle.triggers:
        if trig.changes_state:
            found += [Edge(src, trig.dest, trig.name) for src in trig.sources
                      if Edge(src, trig.dest, trig.name) not in found]
    return found


def back_edges(lifecycle: Lifecycle, all_edges: list[Edge]) -> set[Edge]:
    """The edges drawn going back: into the initial state, out of a terminal state, and
    the edges that close a cycle on a depth-first walk from the initial state."""
    back = {e for e in all_edges
            if e.dest == lifecycle.initial or e.source in lifecycle.terminal}
    leaving: dict[str, list[Edge]] = {name: [] for name in lifecycle.state_names}
    for e in all_edges:
        leaving[e.source].append(e)
    status: dict[str, str] = {}

    def walk(state: str) -> None:
        status[state] = "open"
        for e in leaving[state]:
            if e in back or e.source == e.dest:
                continue
            if status.get(e.dest) == "open":
                back.add(e)
            elif e.dest not in status:
                walk(e.dest)
        status[state] = "done"

    for state in (lifecycle.initial, *lifecycle.state_names):
        if state not in status:
            walk(state)
    return back


def levels(lifecycle: Lifecycle, all_edges: list[Edge], back: set[Edge]) -> dict[str, int]:
    """Each state's level: the longest path to it from the initial state once the back
    edges are turned round; a state nothing leads to (but a back edge) sits just above
    the first state it leads to."""
    names = lifecycle.state_names
    down = [(e.dest, e.source) if e in back else (e.source, e.dest)
            for e in all_edges if e.source != e.dest]
    preds: dict[str, set[str]] = {n: set() for n in names}
    succs: dict[str, set[str]] = {n: set() for n in names}
    for a, b in down:
        preds[b].add(a)
        succs[a].add(b)
    order, placed = [], set()  # a topological order, following the declaration
    while len(order) < len(names):
        ready = [n for n in names if n not in placed and preds[n] <= placed]
        order.append(ready[0])
        placed.add(ready[0])
    level: dict[str, int] = {}
    for n in order:
        level[n] = max((level[p] + 1 for p in preds[n]), default=0)
    for n in reversed(order):
        if not preds[n] and n != lifecycle.initial and succs[n]:
            level[n] = max(0, min(level[s] for s in succs[n]) - 1)
    return level


# ---------------------------------------------------------------------------
# Text


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font."""
    narrow, wide = set("fijlrtI.,:;'!|()[]/- "), set("mwMW@%")
    return size * sum(0.34 if c in narrow else 0.92 if c in wide
                      else 0.74 if c.isupper() else 0.64 for c in text)


def wrap(text: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines) or ("",)


# ---------------------------------------------------------------------------
# The layout


class _Layout:
    def __init__(self, lifecycle: Lifecycle, state_labels: Mapping[str, str],
                 trigger_labels: Mapping[str, str]):
        self.lifecycle = lifecycle
        self.edges = edges(lifecycle)
        self.back = back_edges(lifecycle, self.edges)
        self.level = levels(lifecycle, self.edges, self.back)
        self.items: dict[tuple, _Item] = {}
        self.loops: list[Edge] = [e for e in self.edges if e.source == e.dest]
        self._states(state_labels, trigger_labels)
        self._bundles(trigger_labels)
        self.rows = self._rows()
        self.chains = {b: [it for it in self.items.values()
                           if it.kind != "state" and it.key[1] == b] for b in self.bundles}
        self._order()
        self._settle()
        self._heights()

    # -- the items -----------------------------------------------------------
    def _states(self, state_labels: Mapping[str, str],
                trigger_labels: Mapping[str, str]) -> None:
        texts = {n: wrap(str(state_labels[n]), STATE_FONT, STATE_TEXT_WIDTH)
                 for n in self.lifecycle.state_names}
        height = max(len(lines) for lines in texts.values()) * STATE_LINE + 2 * BOX_PAD
        for n in self.lifecycle.state_names:
            width = max(text_width(line, STATE_FONT) for line in texts[n]) + 2 * BOX_PAD
            self.items[("state", n)] = _Item(("state", n), "state", 2 * self.level[n],
                                             max(width, 96), height, texts[n])
            self.items[("state", n)].extra = max(
                (LOOP_ROOM + text_width(str(trigger_labels[e.trigger]), LABEL_FONT)
                 for e in self.loops if e.source == n), default=0.0)

    def _bundles(self, trigger_labels: Mapping[str, str]) -> None:
        self.bundles: dict[_Bundle, list[Edge]] = {}
        # per bundle, the lines from one row to the next (upper, lower), in order
        self.segments: dict[_Bundle, dict[tuple[tuple, tuple], None]] = {}
        for e in self.edges:
            if e.source != e.dest:
                key = _Bundle(e.trigger, e.dest, e in self.back)
                self.bundles.setdefault(key, []).append(e)
        for bundle, members in self.bundles.items():
            self.segments[bundle] = {}
            lines = wrap(str(trigger_labels[bundle.trigger]), LABEL_FONT, LABEL_TEXT_WIDTH)
            target = self.items[("state", bundle.target)].rank
            label_rank = target + 1 if bundle.back else target - 1
            width = max(text_width(line, LABEL_FONT) for line in lines) + 8
            self.items[("label", bundle)] = _Item(("label", bundle), "label", label_rank,
                                                  width, len(lines) * LABEL_LINE + 4, lines)
            for e in members:
                other = self.items[("state", e.source)].rank
                top, bottom = (target, other) if bundle.back else (other, target)
                chain = [("state", e.dest if bundle.back else e.source)]
                for rank in range(top + 1, bottom):
                    key = ("label", bundle) if rank == label_rank else ("via", bundle, rank)
                    if key not in self.items:
                        self.items[key] = _Item(key, "via", rank, 2)
                    chain.append(key)
                chain.append(("state", e.source if bundle.back else e.dest))
                for upper, lower in pairwise(chain):
                    self.items[upper].down.add(lower)
                    self.items[lower].up.add(upper)
                    self.segments[bundle].setdefault((upper, lower), None)

    def _rows(self) -> list[list[_Item]]:
        rows: list[list[_Item]] = [[] for _ in range(max(i.rank for i in self.items.values())
                                                     + 1)]
        for item in self.items.values():
            rows[item.rank].append(item)
        return rows

    # -- the order within the rows ---------------------------------------------
    def _crossings(self) -> int:
        total = 0
        pos = {it.key: n for r in self.rows for n, it in enumerate(r)}
        for row in self.rows[:-1]:
            segments = [(pos[it.key], pos[d]) for it in row for d in it.down]
            total += sum(1 for a in segments for b in segments
                         if a[0] < b[0] and a[1] > b[1])
        return total

    def _order(self) -> None:
        best, best_rows = self._crossings(), [list(r) for r in self.rows]
        for sweep in range(SWEEPS):
            downward = sweep % 2 == 0
            ranks = range(1, len(self.rows)) if downward else range(len(self.rows) - 2, -1, -1)
            for rank in ranks:
                neighbour_row = self.rows[rank - 1] if downward else self.rows[rank + 1]
                pos = {it.key: n for n, it in enumerate(neighbour_row)}

                def barycentre(indexed, pos=pos, downward=downward):
                    n, it = indexed
                    linked = [pos[k] for k in (it.up if downward else it.down)]
                    return sum(linked) / len(linked) if linked else n

                self.rows[rank] = [it for _, it in
                                   sorted(enumerate(self.rows[rank]), key=barycentre)]
            crossings = self._crossings()
            if crossings < best:
                best, best_rows = crossings, [list(r) for r in self.rows]
        self.rows = best_rows

    # -- the positions -----------------------------------------------------------
    def _gap(self, a: _Item, b: _Item) -> float:
        room = GAP if a.kind != "via" and b.kind != "via" else THIN_GAP
        return (a.width + b.width) / 2 + a.extra + room

    def _place(self, row: list[_Item], wanted: list[float]) -> None:
        """Put the row's centres as near ``wanted`` as the order and the spacing allow
        (least squares: pool-adjacent-violators on the centres less the spacing)."""
        offsets = [0.0]
        for a, b in pairwise(row):
            offsets.append(offsets[-1] + self._gap(a, b))
        blocks: list[list[float]] = []  # [weighted sum, weight, items]
        for item, want, offset in zip(row, wanted, offsets, strict=True):
            weight = VIA_WEIGHT if item.kind == "via" else 1.0
            blocks.append([(want - offset) * weight, weight, 1])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > \
                    blocks[-1][0] / blocks[-1][1]:
                total, weight, count = blocks.pop()
                blocks[-1][0] += total
                blocks[-1][1] += weight
                blocks[-1][2] += count
        values = [total / weight for total, weight, count in blocks for _ in range(count)]
        for item, value, offset in zip(row, values, offsets, strict=True):
            item.x = value + offset

    def _settle(self) -> None:
        for row in self.rows:
            self._place(row, [0.0] * len(row))
        order = list(range(len(self.rows)))
        for n in range(SETTLE_ROUNDS):
            for rank in (order if n % 2 == 0 else reversed(order)):
                row = self.rows[rank]
                self._place(row, [self._wanted(it) for it in row])
        self._straighten()
        left = min(it.x - it.width / 2 for it in self.items.values())
        right = max(it.x + it.width / 2 + it.extra for it in self.items.values())
        self.width = max(right - left + 2 * MARGIN, MIN_WIDTH)
        shift = (self.width - (right - left)) / 2 - left
        for it in self.items.values():
            it.x += shift

    def _straighten(self) -> None:
        """Line each bundle's points up exactly where the room around them allows (what
        the settling leaves is a few units of jog): at the position most of them fit."""
        where = {it.key: (row, n) for row in self.rows for n, it in enumerate(row)}

        def fits(it: _Item, x: float) -> bool:
            row, n = where[it.key]
            return (n == 0 or row[n - 1].x + self._gap(row[n - 1], it) <= x) and \
                (n == len(row) - 1 or x + self._gap(it, row[n + 1]) <= row[n + 1].x)

        for chain in sorted(self.chains.values(), key=len, reverse=True):
            points = [it for it in chain if it.kind == "via"]
            if not points:
                continue
            middle = sorted(it.x for it in points)[len(points) // 2]
            x = max(sorted({it.x for it in points}),
                    key=lambda x: (sum(fits(it, x) for it in points), -abs(x - middle)))
            for it in chain:
                if fits(it, x):
                    it.x = x

    def _wanted(self, item: _Item) -> float:
        """Where an item would like to be: amid the items it is joined to; the points a
        bundle's lines pass through also line up with each other, so that a long edge
        runs straight down."""
        linked = [self.items[k].x for k in item.up | item.down]
        near = sum(linked) / len(linked) if linked else item.x
        if item.kind == "state":
            return near
        column = [it.x for it in self.chains[item.key[1]]]
        return (near + COLUMN_PULL * sum(column) / len(column)) / (1 + COLUMN_PULL)

    def _heights(self) -> None:
        y = MARGIN + START_ROOM
        for row in self.rows:
            height = max((it.height for it in row), default=0.0)
            for it in row:
                it.y = y + height / 2
                it.top, it.bottom = (y + (height - it.height) / 2, y + (height + it.height) / 2) \
                    if it.kind == "state" else (y, y + height)
            y += height + ROW_GAP
        self.height = y - ROW_GAP + MARGIN


# ---------------------------------------------------------------------------
# The drawing


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _curve(a: tuple[float, float], b: tuple[float, float]) -> str:
    middle = (a[1] + b[1]) / 2
    return (f"M{_num(a[0])},{_num(a[1])} C{_num(a[0])},{_num(middle)} "
            f"{_num(b[0])},{_num(middle)} {_num(b[0])},{_num(b[1])}")


def _attach(layout: _Layout, box: _Item, other: tuple, bottom: bool) -> tuple[float, float]:
    """Where the line to ``other`` meets the box: spread along its bottom or top edge."""
    linked = sorted((layout.items[k] for k in (box.down if bottom else box.up)),
                    key=lambda it: it.x)
    n = next(i for i, it in enumerate(linked) if it.key == other)
    usable = box.width - 2 * BOX_PAD
    x = box.x - usable / 2 + usable * (n + 1) / (len(linked) + 1)
    return x, box.bottom if bottom else box.top


def _text(lines: tuple[str, ...], x: float, y: float, line: float) -> list[str]:
    top = y - (len(lines) - 1) * line / 2
    return [f'<text x="{_num(x)}" y="{_num(top + n * line)}" text-anchor="middle" '
            f'dominant-baseline="central">{escape(text)}</text>'
            for n, text in enumerate(lines)]


def draw(lifecycle: Lifecycle, *, state_labels: Mapping[str, str],
         trigger_labels: Mapping[str, str], title: str, description: str = "",
         current: str | None = None, visited: Iterable[str] = (),
         id_prefix: str = "lifecycle") -> str:
    """The lifecycle as one ``<svg>`` element (text, escaped): a box per state with its
    label, an arrow per trigger with its label; the classes ``current`` and ``visited``
    on the states so marked, ``initial`` and ``terminal`` as declared, ``back`` on the
    transitions drawn going back."""
    layout = _Layout(lifecycle, state_labels, trigger_labels)
    visited = set(visited) - {current}
    ids = f"{id_prefix}-title" + (f" {id_prefix}-desc" if description else "")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lifecycle-diagram" role="img" '
           f'viewBox="0 0 {_num(layout.width)} {_num(layout.height)}" width="100%" '
           f'aria-labelledby="{ids}" font-size="{LABEL_FONT}">',
           f'<title id="{id_prefix}-title">{escape(title)}</title>']
    if description:
        out.append(f'<desc id="{id_prefix}-desc">{escape(description)}</desc>')
    out += [f'<defs><marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="8" markerHeight="8" orient="auto-start-reverse" '
            'markerUnits="userSpaceOnUse">'
            '<path class="arrowhead" d="M0,1 L10,5 L0,9 z"/></marker></defs>']
    arrow = f'marker-end="url(#{id_prefix}-arrow)"'

    out.append('<g class="transitions">')
    for bundle in layout.bundles:
        classes = "transition back" if bundle.back else "transition"
        out.append(f'<g class="{classes}" data-trigger="{escape(bundle.trigger)}">')
        for upper_key, lower_key in layout.segments[bundle]:
            upper, lower = layout.items[upper_key], layout.items[lower_key]
            a = _attach(layout, upper, lower_key, True) if upper.kind == "state" \
                else (upper.x, upper.bottom)
            b = _attach(layout, lower, upper_key, False) if lower.kind == "state" \
                else (lower.x, lower.top)
            # the arrow points at the bundle's target: down into it, or back up into it
            into = upper.kind == "state" if bundle.back else lower.kind == "state"
            if bundle.back:
                a, b = b, a
            out.append(f'<path d="{_curve(a, b)}"{" " + arrow if into else ""}/>')
        for point in layout.chains[bundle]:  # straight through its row
            out.append(f'<path d="M{_num(point.x)},{_num(point.top)} '
                       f'V{_num(point.bottom)}"/>')
        label = layout.items[("label", bundle)]
        out.append(f'<g class="edge-label"><rect x="{_num(label.x - label.width / 2)}" '
                   f'y="{_num(label.y - label.height / 2)}" width="{_num(label.width)}" '
                   f'height="{_num(label.height)}" rx="3"/>')
        out += _text(label.lines, label.x, label.y, LABEL_LINE)
        out.append("</g></g>")
    for loop in layout.loops:
        box = layout.items[("state", loop.source)]
        right = box.x + box.width / 2
        out.append(f'<g class="transition loop" data-trigger="{escape(loop.trigger)}">'
                   f'<path d="M{_num(right)},{_num(box.y - 8)} C{_num(right + 30)},'
                   f'{_num(box.y - 24)} {_num(right + 30)},{_num(box.y + 24)} '
                   f'{_num(right)},{_num(box.y + 8)}" {arrow}/>'
                   f'<text x="{_num(right + 34)}" y="{_num(box.y)}" '
                   f'dominant-baseline="central">'
                   f'{escape(str(trigger_labels[loop.trigger]))}</text></g>')
    out.append("</g>")

    out.append(f'<g class="states" font-size="{STATE_FONT}">')
    for state in lifecycle.states:
        box = layout.items[("state", state.name)]
        classes = ["state"]
        classes += ["initial"] if state.name == lifecycle.initial else []
        classes += ["terminal"] if state.name in lifecycle.terminal else []
        classes += ["current"] if state.name == current else \
            ["visited"] if state.name in visited else []
        left, top = box.x - box.width / 2, box.y - box.height / 2
        out.append(f'<g class="{" ".join(classes)}" data-state="{escape(state.name)}">')
        if state.name == lifecycle.initial:
            out.append(f'<circle class="start" cx="{_num(box.x)}" cy="{_num(top - 26)}" '
                       f'r="6"/><path class="start-arrow" d="M{_num(box.x)},{_num(top - 20)} '
                       f'L{_num(box.x)},{_num(top)}" {arrow}/>')
        out.append(f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(box.width)}" '
                   f'height="{_num(box.height)}" rx="8"/>')
        if state.name in lifecycle.terminal:
            out.append(f'<rect class="inner" x="{_num(left + 4)}" y="{_num(top + 4)}" '
                       f'width="{_num(box.width - 8)}" height="{_num(box.height - 8)}" '
                       f'rx="5"/>')
        out += _text(box.lines, box.x, box.y, STATE_LINE)
        out.append("</g>")
    out.append("</g></svg>")
    return "\n".join(out)
