"""Forms of the right of reply."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workflow.checks import MAX_REASON
from workflow.comments.models import MAX_COMMENT


class CommentForm(FlaskForm):
    doc_number = StringField(_l("On recommendation (document number)"),
                             validators=[Optional(), Length(max=32)])
    text = TextAreaField(_l("Comment"), validators=[
        DataRequired(_l("Write the comment.")), Length(max=MAX_COMMENT)])


class HideForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("Why is it hidden?"), validators=[
        DataRequired(_l("Give the reason.")), Length(max=MAX_REASON)])
