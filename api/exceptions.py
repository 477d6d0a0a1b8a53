"""Errors as JSON with a message per field: domain errors (Django ValidationError) are
400, ``NotPermitted`` is 403 (the record is visible but the act is not allowed), and
anything out of reach has already been answered 404 by the queryset."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from incubator.exceptions import NotPermitted
from incubator.services import validation_message


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Django's "No <Model> matches the given query." is English only and names the
        # model: the translated "Not found." of every other 404.
        exc = NotFound()
    if isinstance(exc, DjangoValidationError):
        errors = validation_message(exc)
        # Model validation files constraint errors under "__all__": answer with the key
        # DRF uses for the same thing, so clients read one name.
        if NON_FIELD_ERRORS in errors:
            errors.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(errors.pop(NON_FIELD_ERRORS))
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotPermitted):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)
