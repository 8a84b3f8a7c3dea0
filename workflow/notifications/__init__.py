"""Notifications: who is told of which event (``rules``), queued with the event
(``queue``), listed in the app and e-mailed from the outbox (``outbox``)."""

from workflow.notifications import queue as _queue  # noqa: F401  (installs the listener)
