"""Accounts: sign-up, login, logout, password reset and e-mail change through django-allauth,
and the privacy notice accepted at sign-up (``PrivacyAcceptance``).

A login (``incubator.User`` with its allauth e-mail addresses, and later other login
methods such as SPID/CIE) is kept apart from the person (``incubator.Person.user``): see
docs/accounts.md."""
