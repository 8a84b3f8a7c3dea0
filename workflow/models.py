"""The whole schema in one import: every feature package's models, so that the
mapper registry and the metadata (Alembic, the models/migrations agreement test)
are complete whichever module a program imports first. Each model is defined
in its feature package (``workflow/<feature>/models.py``)."""

from workflow.accounts.models import ApiToken, User
from workflow.answers.models import Answer, Attachment
from workflow.base import Base
from workflow.cases.models import (
    Addressee,
    CaseAddressee,
    ClosingDay,
    DeadlineAdjustment,
    ExtensionRequest,
    Recommendation,
)
from workflow.comments.models import Comment
from workflow.history.models import Checkpoint, Event
from workflow.notifications.models import Notification
from workflow.publishing.models import ScoreboardCell
from workflow.questions.models import WrittenQuestion
from workflow.reminders.models import DeadlineNotice, QuestionNotice, SweepRun

__all__ = ["Addressee", "Answer", "ApiToken", "Attachment", "Base", "CaseAddressee",
           "Checkpoint", "ClosingDay", "Comment", "DeadlineAdjustment", "DeadlineNotice", "Event",
           "ExtensionRequest", "Notification", "QuestionNotice", "Recommendation", "ScoreboardCell",
           "SweepRun",
           "User", "WrittenQuestion"]
