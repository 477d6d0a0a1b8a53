"""Strings of Django 6.1 and its admin that its Italian catalogue does not translate yet.

Marked here (never imported) so that ``makemessages`` copies them into our catalogue, where
their Italian translation wins over Django's missing one (LOCALE_PATHS come first).
tests/ui/test_italian_pages.py finds such leftovers on the personas' pages."""

from django.utils.translation import gettext_noop

DJANGO_LEFTOVERS = (
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
    gettext_noop("Run"),  # admin/actions.html
    gettext_noop("Model name"),  # admin/app_list.html
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
