"""One page of a list: the query with LIMIT and OFFSET over an indexed sort order, a
capped count, and what the pager needs. A page costs two statements (the count and the
rows), however long the list, and the count reads at most ``COUNT_CAP`` rows past the
page's start: a longer list says "more than" that many (``Page.capped``), so the cost of a
page does not grow with the list.

``?page=`` is forgiving: what is not a plain number (or is 0) is page 1, and a page past
the end (however many digits it has) is the last page, so an old bookmark or a list that
shrank never shows "N recommendations" above an empty table (nor answers a 500)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workflow.cases.queries import COUNT_CAP  # rows counted past the start of the page

MAX_DIGITS = 9  # a longer number is past the end of any list: read as this one
BEYOND = 10 ** MAX_DIGITS


def requested_page(arg: str = "page") -> int:
    """The page asked for in the query string (1 when it is not a plain number)."""
    raw = request.args.get(arg, "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return max(int(raw), 1) if len(raw) <= MAX_DIGITS else BEYOND


@dataclass(frozen=True)
class Page:
    items: Sequence
    page: int
    per_page: int
    total: int  # the rows of the list; when capped, the list has more than this many
    capped: bool = False

    @property
    def pages(self) -> int:
        """The pages of the list; when capped, the pages known to exist (there may be more)."""
        return max(1, -(-(self.total + self.capped) // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def count(session: Session, stmt: Select, *, cap: int | None = None) -> int:
    """How many rows ``stmt`` gives (its order and loader options do not matter), at most
    ``cap + 1`` when a cap is given."""
    rows = stmt.order_by(None)
    if cap is not None:
        rows = rows.limit(cap + 1)
    return session.scalar(select(func.count()).select_from(rows.subquery()))


def paginate(session: Session, stmt: Select, per_page: int, *, page: int | None = None,
             options: Sequence = (), count_stmt: Select | None = None) -> Page:
    """The page asked for (default: ``?page=``) of ``stmt``, past the end the last one.
    ``options`` are the loader options of the rows (eager loading), applied after the
    count; ``count_stmt`` a cheaper statement that gives as many rows (e.g. only their
    ids, without a join the rows need only for their order)."""
    page = requested_page() if page is None else max(page, 1)
    start = (page - 1) * per_page
    counted = count(session, count_stmt if count_stmt is not None else stmt,
                    cap=start + COUNT_CAP)
    capped = counted > start + COUNT_CAP
    total = counted - 1 if capped else counted
    if not capped:  # past the end: the last page (the count is exact there)
        page = min(page, max(1, -(-total // per_page)))
    items = session.scalars(stmt.options(*options).limit(per_page)
                            .offset((page - 1) * per_page)).unique().all() if total else []
    return Page(items, page, per_page, total, capped)


def first_rows(session: Session, stmt: Select, rows: int, *, options: Sequence = ()):
    """The first ``rows`` of ``stmt`` and whether there are more (no count)."""
    found = session.scalars(stmt.options(*options).limit(rows + 1)).unique().all()
    return found[:rows], len(found) > rows


def link_args(**extra) -> dict:
    """The query string of this request without its page: the filters a page link keeps."""
    args = {k: v for k, v in request.args.items(multi=False) if k != "page"}
    args.update(extra)
    return args
