"""Reads of documents across models."""

from django.db.models import QuerySet

from incubator import access
from incubator.documents.models import SignedAct


def signed_acts(user, grant=None) -> QuerySet[SignedAct]:
    """The verified signed acts the user may see (of one grant), newest first, with what the
    lists show (the grant's venture and the act as issued) in the same query."""
    qs = (
        access.visible(user, SignedAct)
        .select_related("grant__venture", "document")
        .defer("content", "document__content")
    )
    if grant is not None:
        qs = qs.filter(grant=grant)
    return qs.order_by("-verified_at", "-id")
