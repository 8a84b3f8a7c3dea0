"""The lifecycle drawn as SVG on the server: everything declared is drawn, the SVG is
well-formed, the marks and the layout follow the declaration, and nothing is styled
inline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from workflow import lifecycle_svg
from workflow.lifecycle import ANSWER, LIFECYCLES, RECOMMENDATION, Lifecycle, State, Trigger

SVG = "{http://www.w3.org/2000/svg}"


def draw(lc: Lifecycle, **options) -> str:
    return lifecycle_svg.draw(
        lc, state_labels={s.name: s.label for s in lc.states},
        trigger_labels={t.name: t.label for t in lc.triggers},
        title=f"The {lc.name} lifecycle", **options)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own drawing, in a test


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def joined(element: ET.Element) -> str:
    """The words of an element, lines of a wrapped label joined with a space."""
    return " ".join(texts(element))


@pytest.mark.parametrize("lc", LIFECYCLES.values(), ids=list(LIFECYCLES))
def test_every_state_and_every_state_changing_trigger_is_drawn(lc):
    root = parse(draw(lc))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == f"The {lc.name} lifecycle"
    states = {g.get("data-state"): g for g in root.iter(f"{SVG}g") if g.get("data-state")}
    assert list(states) == list(lc.state_names)
    for state in lc.states:
        assert joined(states[state.name]) == state.label
        assert states[state.name].find(f"{SVG}rect") is not None
    drawn = {g.get("data-trigger") for g in root.iter(f"{SVG}g") if g.get("data-trigger")}
    changing = {t.name for t in lc.triggers if t.changes_state}
    assert drawn == changing  # the deadline actions keep the state: not arrows
    words = " ".join(joined(g) for g in root.iter(f"{SVG}g") if g.get("data-trigger"))
    for name in changing:
        assert lc.trigger(name).label in words
    # every drawn transition ends in an arrow
    for g in root.iter(f"{SVG}g"):
        if g.get("data-trigger"):
            assert any(p.get("marker-end") for p in g.iter(f"{SVG}path")), g.get("data-trigger")


@pytest.mark.parametrize("lc", LIFECYCLES.values(), ids=list(LIFECYCLES))
def test_the_current_and_the_visited_states_are_marked_by_classes(lc):
    current, visited = lc.state_names[1], {lc.initial, lc.state_names[1]}
    root = parse(draw(lc, current=current, visited=visited))
    classes = {g.get("data-state"): set(g.get("class").split()) for g in root.iter(f"{SVG}g")
               if g.get("data-state")}
    assert [n for n, c in classes.items() if "current" in c] == [current]
    assert [n for n, c in classes.items() if "visited" in c] == [lc.initial]
    assert "initial" in classes[lc.initial]
    assert {n for n, c in classes.items() if "terminal" in c} == set(lc.terminal)


def test_nothing_is_styled_inline_and_the_words_are_escaped():
    svg = lifecycle_svg.draw(
        RECOMMENDATION, title='<script>alert("x")</script> & co',
        state_labels={n: f"<b>{n}</b>" for n in RECOMMENDATION.state_names},
        trigger_labels={t.name: f'"{t.name}" & <i>' for t in RECOMMENDATION.triggers},
        description="it's <here>")
    root = parse(svg)
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co'
    assert root.find(f"{SVG}desc").text == "it's <here>"
    assert root.get("aria-labelledby") == "lifecycle-title lifecycle-desc"
    assert not any(e.get("style") for e in root.iter())
    assert not list(root.iter(f"{SVG}style")) and not list(root.iter(f"{SVG}script"))
    assert not re.search(r"\son\w+=", svg)  # no event handler attributes


def test_the_drawing_scales_with_the_page_and_its_text_stays_readable():
    root = parse(draw(RECOMMENDATION))
    assert root.get("width") == "100%" and root.get("height") is None
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert lifecycle_svg.MIN_WIDTH <= width <= 1200 and height > 0
    sizes = [float(g.get("font-size")) for g in root.iter() if g.get("font-size")]
    assert min(sizes) >= 14  # user units: at least 14 px wherever it is drawn 1:1 or larger


def test_back_edges_are_those_that_return():
    edges = lifecycle_svg.edges(RECOMMENDATION)
    back = {(e.source, e.dest) for e in lifecycle_svg.back_edges(RECOMMENDATION, edges)}
    assert back == {("follow_up_requested", "awaiting_answers"),
                    ("follow_up_requested", "answered"), ("closed", "reopened")}
    answer_back = lifecycle_svg.back_edges(ANSWER, lifecycle_svg.edges(ANSWER))
    assert {(e.source, e.dest) for e in answer_back} == {
        ("answered", "pending"), ("declined", "pending"), ("waived", "pending")}


def test_levels_follow_the_declared_transitions():
    edges = lifecycle_svg.edges(RECOMMENDATION)
    level = lifecycle_svg.levels(RECOMMENDATION, edges,
                                 lifecycle_svg.back_edges(RECOMMENDATION, edges))
    assert level["adopted"] == 0 and level["transmitted"] == 1
    forward = [e for e in edges if e not in lifecycle_svg.back_edges(RECOMMENDATION, edges)]
    assert all(level[e.source] < level[e.dest] for e in forward)
    # reopened is reached only by going back: it sits just above what it leads to
    assert level["reopened"] == level["under_assessment"] - 1
    assert level["closed"] == max(level.values())


@pytest.mark.parametrize("lc", LIFECYCLES.values(), ids=list(LIFECYCLES))
def test_no_two_boxes_or_labels_overlap(lc):
    root = parse(draw(lc))
    boxes = []
    for g in root.iter(f"{SVG}g"):
        if g.get("data-state") or g.get("class") == "edge-label":
            rect = g.find(f"{SVG}rect")
            x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
            boxes.append((x, y, x + w, y + h))
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    for n, a in enumerate(boxes):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= width and a[3] <= height
        for b in boxes[n + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_a_trigger_that_keeps_its_source_state_is_drawn_as_a_loop():
    lc = Lifecycle(name="sketch", initial="draft", states=(State("draft", "draft"),
                                                            State("done", "done")),
                   triggers=(Trigger("edit", "edit again", ("draft",), "draft", frozenset()),
                             Trigger("finish", "finish", ("draft",), "done", frozenset())),
                   terminal=("done",))
    root = parse(draw(lc))
    loops = [g for g in root.iter(f"{SVG}g") if "loop" in (g.get("class") or "").split()]
    assert [g.get("data-trigger") for g in loops] == ["edit"] and joined(loops[0]) == "edit again"
