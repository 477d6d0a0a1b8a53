"""Writes of the accounts subject."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incubator import audit
from incubator.accounts.models import PrivacyAcceptance


def privacy_notice_accept(*, actor, version: str | None = None, client_address: str = "") -> PrivacyAcceptance:
    """Records that ``actor`` accepted the privacy notice (the current version unless
    given). Accepting the same version again keeps the first acceptance."""
    version = version or settings.PRIVACY_NOTICE_VERSION
    with transaction.atomic():
        acceptance, created = PrivacyAcceptance.objects.get_or_create(
            user=actor,
            version=version,
            defaults={"accepted_at": timezone.now(), "client_address": client_address[:45]},
        )
        if created:
            audit.record(
                actor=actor,
                verb="privacy_notice.accepted",
                target=acceptance,
                programme_id=None,
                after={"version": version},
            )
    return acceptance
