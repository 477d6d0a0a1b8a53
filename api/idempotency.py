"""The ``Idempotency-Key`` header on API writes that create money records (grants,
tranches, expense reports, expense items): the same key from the same user on the same
endpoint answers the first request's record again (same status, same body, plus
``Idempotent-Replayed: true``) and creates nothing; the same key with another body is
refused with 400. The rule itself is ``incubator.idempotency``."""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from incubator import idempotency

HEADER = "Idempotency-Key"

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Any unique string (e.g. a UUID) chosen by the client, 1 to 255 visible ASCII characters. "
        "Sent again with the same body, it returns the record the first request created and creates "
        "nothing (the response then carries Idempotent-Replayed: true); with a different body it is "
        "refused with 400."
    ),
)


def create_once(
    request, scope: str, create: Callable[[], models.Model], answer: Callable[[models.Model, int], Response]
):
    """Runs ``create`` once per key; ``answer(record, status)`` builds the response."""
    record, created = idempotency.run_once(
        actor=request.user,
        scope=f"api:{scope}",
        key=request.headers.get(HEADER),
        request=request.data,
        create=create,
        field=HEADER,
    )
    response = answer(record, status.HTTP_201_CREATED)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response
