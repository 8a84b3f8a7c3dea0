"""The review's chart, drawn as SVG from its figures: per addressee and year of the
request, the answers on time, late and still pending as one stacked bar.

Drawn here rather than by a plotting library: the figure is a handful of rectangles
and labels, it must carry the page's words and numbers per locale, and the same markup
goes into the page (no script, no inline style under the CSP) and the PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

from workflow.publishing.figures import OUTCOMES

from ..labels import ANSWER_OUTCOMES

# Each outcome's colour, in the order of OUTCOMES (green, red, grey).
SEGMENTS = tuple(zip(OUTCOMES, ("#1b7837", "#b2182b", "#6b6b6b"), strict=True))
LABEL_WIDTH = 70
BAR_WIDTH = 420
ROW = 22
BAR = 15
TOP = 34
NUMBER_WIDTH = 70


def answers_chart(rows: Sequence, *, names: Mapping[str, str], number: Callable[[int], str],
                  title: str, words: Mapping[str, str] = ANSWER_OUTCOMES,
                  largest: int | None = None) -> Markup:
    """``rows``: YearCount-like objects (addressee, year, on_time, late, pending), in
    order; ``names`` an addressee's name by code; ``words`` the legend's words by
    segment (default: the interface's); ``number`` formats a count in the page's
    locale; ``largest`` the count a full bar stands for (default: the longest bar here),
    so that several charts drawn apart share one scale."""
    rows = [r for r in rows if r.on_time + r.late + r.pending]
    words = {key: str(word) for key, word in words.items()}  # translated once, not per bar
    largest = largest or max((r.on_time + r.late + r.pending for r in rows), default=1)
    width = LABEL_WIDTH + BAR_WIDTH + NUMBER_WIDTH
    # One line with the addressee's name, then one bar per year.
    height = TOP + ROW * (len(rows) + len({r.addressee for r in rows})) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>"]
    x = LABEL_WIDTH
    for key, colour in SEGMENTS:
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="16">{escape(words[key])}</text>')
        x += 20 + 8 * len(words[key]) + 12
    previous, y = None, TOP - ROW
    for row in rows:
        y += ROW
        if row.addressee != previous:
            out.append(f'<text x="0" y="{y + BAR - 3}" font-weight="bold">'
                       f"{escape(names.get(row.addressee, row.addressee))}</text>")
            previous, y = row.addressee, y + ROW
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 3}" text-anchor="end">'
                   f"{escape(str(row.year))}</text>")
        x = LABEL_WIDTH
        parts = []
        for key, colour in SEGMENTS:
            count = getattr(row, key)
            if not count:
                continue
            w = BAR_WIDTH * count / largest
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" '
                       f'fill="{colour}"><title>{escape(words[key])}: '
                       f"{escape(number(count))}</title></rect>")
            parts.append(number(count))
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + BAR - 3}">{escape(" / ".join(parts))}'
                   "</text>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through escape()
