"""The case list and search, the case page, the diagram, attachments, mermaid.js."""

from __future__ import annotations

import re
from pathlib import Path

from flask import abort, current_app, render_template, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import escape

from workflow import clock, history
from workflow.cases import due_dates, scope
from workflow.cases import queries as domain_queries
from workflow.lifecycle import RECOMMENDATION
from workflow.models import Attachment, Recommendation

from .. import paging
from ..extensions import db
from ..hardening import inline_styles_drawn
from ..labels import state_label, trigger_label
from ..security import current_actor
from . import bp, queries
from .forms import SearchForm
from .view import load_case, render_case

PER_PAGE = 20
MERMAID = Path(__file__).resolve().parents[2] / "node_modules" / "mermaid" / "dist" / \
    "mermaid.min.js"


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


def translated_mermaid(current: str | None, path: tuple[str, ...]) -> str:
    """The lifecycle's own mermaid text, with state and action names in the user's language
    (and its title as mermaid front matter)."""
    text = RECOMMENDATION.mermaid(current=current, path=path)

    def clean(label) -> str:
        return str(label).replace('"', "").replace(":", "")

    def state(match: re.Match) -> str:
        name = match.group(2)
        return f'{match.group(1)}"{clean(state_label(name))}" as {name}'

    def edge(match: re.Match) -> str:
        return f"{match.group(1)}: {clean(trigger_label(match.group(2)))}"

    text = re.sub(r'^(\s*state )".*" as (\w+)$', state, text, flags=re.MULTILINE)
    text = re.sub(r"^(\s*\w+ --> \w+): (\w+)$", edge, text, flags=re.MULTILINE)
    return re.sub(r"\A---\n.*\n---", lambda m: "---\ntitle: "
                  + clean(_("Lifecycle of a recommendation")) + "\n---", text)


@bp.route("/cases/<int:case_id>/diagram")
@login_required
@inline_styles_drawn
def diagram(case_id: int):
    rec = load_case(case_id)
    steps = _path(rec)
    visited = {ev.to_state for ev in steps}
    return render_template("cases/diagram.html", rec=rec, steps=steps, visited=visited,
                           states=RECOMMENDATION.states,
                           mermaid=translated_mermaid(rec.state,
                                                      tuple(ev.to_state for ev in steps)),
                           has_mermaid=MERMAID.exists())


@bp.route("/vendor/mermaid.min.js")
def mermaid_js():
    if not MERMAID.exists():
        current_app.logger.warning("mermaid.js not installed: run 'npm install'")
        return (f"/* {escape(_('mermaid.js is not installed on this server: run npm install in the project folder. The diagram is shown as a list instead.'))} */",  # noqa: E501
                404, {"Content-Type": "text/javascript; charset=utf-8"})
    return send_file(MERMAID, mimetype="text/javascript", max_age=86400)


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
