"""Deadlines with teeth: the sweep that records reminders, "overdue" and "very overdue"
once per entry and due moment (``sweep``), and what it keeps (``models``)."""
