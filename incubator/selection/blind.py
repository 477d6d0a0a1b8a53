"""Blind review: on a call that asks for it, evaluators never learn who applied.

Who is hidden from is one rule: an evaluator of the application who does not
coordinate the programme. What is hidden: the team's names, tax codes and e-mails, the
legal form's registration number (a company's VAT number is its tax code), and any
file name built from them. Venture records themselves are out of an evaluator's reach on
a blind call (``access`` rule), so the API's venture, team and people lists leave them out.
"""

from incubator import access
from incubator.models import Role
from incubator.selection.models import Application, Call


def hides_identity(user, call: Call) -> bool:
    """True when ``user`` must not see who applied to ``call``."""
    return bool(call.blind_review) and not access.has_role(user, call.programme_id, Role.COORDINATOR)


def application_label(application: Application, *, blind: bool) -> str:
    """How pages, exports and file names name an application: its venture's title, or
    on a blind call only its number (titles are often the team's name)."""
    return f"#{application.pk}" if blind else application.venture.title
