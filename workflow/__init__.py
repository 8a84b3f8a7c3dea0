"""Follow-up of Benelux Parliament recommendations: the domain library.

Framework-free: usable from a script, the ``followup`` CLI or the web app.
Operations change objects and flush; the caller owns the transaction.
"""
