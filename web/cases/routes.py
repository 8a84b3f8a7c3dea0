"""The case list and search, the case page, the lifecycle diagram, attachments."""

from __future__ import annotations

from flask import abort, render_template, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from workflow import clock, history, lifecycle_svg
from workflow.cases import due_dates, scope
from workflow.cases import queries as domain_queries
from workflow.lifecycle import RECOMMENDATION
from workflow.models import Attachment, Recommendation

from .. import paging
from ..extensions import db
from ..labels import state_label, trigger_label
from ..security import current_actor
from . import bp, queries
from .forms import SearchForm
from .view import load_case, render_case

PER_PAGE = 20


@bp.route("/cases/")
@login_required
def index():
    locale = str(get_locale())
    form = SearchForm(request.args)
    form.set_choices(queries.addressees(db.session),
                     queries.distinct_values(db.session, Recommendation.committee),
                     queries.distinct_values(db.session, Recommendation.theme), locale)
    valid = form.validate()
    filters = {name: form[name].data for name in
               ("q", "state", "addressee", "committee", "theme", "year", "overdue", "sort",
                "order")} if valid else {}
    filters = {k: v for k, v in filters.items() if v not in (None, "")}
    actor, cutoffs = current_actor(), due_dates.status_cutoffs(clock.utcnow())
    stmt = queries.search(actor, cutoffs=cutoffs, **filters)
    pagination = paging.paginate(db.session, stmt, PER_PAGE)
    late = domain_queries.late_counts(db.session, actor, [r.id for r in pagination.items],
                                      cutoffs)
    rows = [{"rec": rec, "overdue": late.get(rec.id, 0)} for rec in pagination.items]
    args = paging.link_args()
    return render_template("cases/index.html", form=form, rows=rows, pagination=pagination,
                           args=args, valid=valid), 200 if valid else 400


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    return render_case(load_case(case_id))


def _path(rec: Recommendation) -> list:
    return [ev for ev in history.case_events(db.session, rec.id)
            if ev.entity == "recommendation" and ev.to_state]


def lifecycle_drawing(current: str, visited: set[str]) -> Markup:
    """The recommendation lifecycle drawn on the server as inline SVG, with the state and
    action names in the user's language (the layout: :mod:`workflow.lifecycle_svg`)."""
    # draw() escapes every text it writes into the SVG
    return Markup(lifecycle_svg.draw(  # noqa: S704
        RECOMMENDATION,
        state_labels={name: state_label(name) for name in RECOMMENDATION.state_names},
        trigger_labels={t.name: trigger_label(t.name) for t in RECOMMENDATION.triggers},
        title=_("Lifecycle of a recommendation"),
        description=_("The current state is %(state)s.", state=state_label(current)),
        current=current, visited=visited))


@bp.route("/cases/<int:case_id>/diagram")
@login_required
def diagram(case_id: int):
    rec = load_case(case_id)
    steps = _path(rec)
    visited = {ev.to_state for ev in steps}
    return render_template("cases/diagram.html", rec=rec, steps=steps, visited=visited,
                           states=RECOMMENDATION.states,
                           drawing=lifecycle_drawing(rec.state, visited))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        abort(404)
    scope.check_attachment_visible(current_actor(), att)
    from io import BytesIO

    return send_file(BytesIO(att.content), mimetype=att.content_type, as_attachment=True,
                     download_name=att.filename)
