"""The audit trail: every service records what it changed, by whom and why."""

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from incubator.models import AuditEvent


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(values or {}, cls=DjangoJSONEncoder))


def record(
    *,
    actor,
    verb: str,
    target: models.Model,
    programme_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        programme_id=programme_id,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=target.pk,
        target_repr=str(target)[:300],
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )


def history(target: models.Model) -> models.QuerySet:
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False), target_id=target.pk
    ).select_related("actor")
