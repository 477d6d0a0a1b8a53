"""The audit trail: every service records what it changed, by whom and why."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from incubator.models import AuditEvent


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(values or {}, cls=DjangoJSONEncoder))


def _event(
    *,
    actor,
    verb: str,
    target: models.Model,
    programme_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    return AuditEvent(
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


def record(**event) -> AuditEvent:
    """One event: ``actor``, ``verb``, ``target``, ``programme_id``, and optionally
    ``before``, ``after`` (JSON-able values) and ``reason``."""
    audit_event = _event(**event)
    audit_event.save(force_insert=True)
    return audit_event


def record_many(events: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Several events of one service call in one insert: each mapping holds the keyword
    arguments of ``record``."""
    rows = [_event(**event) for event in events]
    return AuditEvent.objects.bulk_create(rows) if rows else []


def history(target: models.Model) -> models.QuerySet:
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False), target_id=target.pk
    ).select_related("actor")
