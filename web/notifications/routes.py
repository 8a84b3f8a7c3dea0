from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField

from workflow.checks import resolve_now
from workflow.notifications import inbox

from ..extensions import db
from ..labels import choices
from ..mail.compose import link_for
from ..mail.words import word
from ..paging import paginate
from . import bp

PER_PAGE = 30


class MailChoiceForm(FlaskForm):
    mode = RadioField(_l("E-mail"), choices=choices([
        ("each", _l("one e-mail per notification")),
        ("daily", _l("one daily digest (sent after 07:00)")),
    ]))


@bp.route("/")
@login_required
def index():
    page = paginate(db.session, inbox.of_user(current_user.id), PER_PAGE)
    locale = str(get_locale())
    rows = [{"n": n, "worded": word(n, locale), "link": link_for(n), "unread": n.read_at is None}
            for n in page.items]
    inbox.mark_read(db.session, current_user.id, [n.id for n in page.items if n.read_at is None],
                    resolve_now(None))
    form = MailChoiceForm(mode="daily" if current_user.mail_digest else "each")
    return render_template("notifications/index.html", page=page, rows=rows, form=form,
                           has_email=bool(current_user.email))


@bp.route("/mail", methods=["POST"])
@login_required
def mail_choice():
    form = MailChoiceForm()
    if form.validate_on_submit():
        inbox.choose_digest(db.session, current_user, form.mode.data == "daily")
        flash(_("Saved: you receive a daily digest.") if form.mode.data == "daily"
              else _("Saved: you receive one e-mail per notification."), "success")
    else:
        flash(_("Choose one of the two ways to receive e-mail."), "error")
    return redirect(url_for("notifications.index"))


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return inbox.unread(db.session, current_user.id)


@bp.app_context_processor
def _unread():
    # A function, so that only pages that show the navigation count (one indexed COUNT).
    return {"unread_notifications": unread_count}
