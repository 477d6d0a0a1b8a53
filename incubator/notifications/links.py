"""Links put in notifications: the path of a named page, or empty when the page is not
there (an app left out of a deployment, a page still to come)."""

from django.urls import NoReverseMatch, reverse


def page(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
