"""Notifications and reminders: each event makes one notification per recipient (inbox),
e-mailed at once, in a daily digest or not at all according to the recipient's
preferences, in their language. Other subjects call ``services.notify``; time-based
reminders register a source in ``reminders``. Uses only the core."""
