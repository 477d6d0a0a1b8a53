"""Writes that create money records, done once per client key (issue 20, item 5).

A client that retries, a double click or twenty identical requests at once send the same
key: the first claims it (a row with a unique constraint on user, scope and key) inside
the same transaction as the write; the others wait on that row (PostgreSQL blocks the
second insert of a unique value until the first transaction ends), then find it and get
the first write's record back, without writing. A write that is refused rolls its key
back with it, so the same key may be tried again. The same key sent with a different
request is refused: it is a client's mistake, not a retry."""

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from incubator.exceptions import DomainError
from incubator.models import IdempotencyKey

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as HTTP header values


def fingerprint(data: Any) -> str:
    """A stable hash of a request's values (keys sorted; dates, decimals and files as text)."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_once[M: models.Model](
    *, actor, scope: str, key: str | None, request: Any, create: Callable[[], M], field: str = "idempotency_key"
) -> tuple[M, bool]:
    """``create()`` once per (actor, scope, key): returns the record and whether it was
    created now (False: the record of an earlier request with the same key). Without a
    key, ``create()`` runs as usual."""
    if key is None:
        return create(), True
    if not KEY_PATTERN.match(key):
        raise DomainError(
            _("The idempotency key must be 1 to 255 visible ASCII characters."), code="invalid", field=field
        )
    wanted = fingerprint(request)
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(user=actor, scope=scope, key=key, fingerprint=wanted)
            record = create()
            claim.target_type = ContentType.objects.get_for_model(record)
            claim.target_id = record.pk
            claim.save(update_fields=["target_type", "target_id"])
            return record, True
    except IntegrityError:
        # Another request holds (or held) this key; its transaction has ended by now.
        claim = IdempotencyKey.objects.select_related("target_type").filter(user=actor, scope=scope, key=key).first()
        if claim is None:
            raise
    if claim.fingerprint != wanted or claim.target_type is None:
        raise DomainError(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
            field=field,
        )
    return claim.target_type.get_object_for_this_type(pk=claim.target_id), False
