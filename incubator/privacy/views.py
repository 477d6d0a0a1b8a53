"""Pages of data-subject rights: a person's access export (JSON or CSV) for the person
and the coordinators of their programme (``incubator.privacy.selectors``)."""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from incubator import access
from incubator.exceptions import NotPermitted
from incubator.models import Person
from incubator.privacy.selectors import personal_data, personal_data_csv

FORMATS = ("json", "csv")


def personal_data_response(data: dict[str, Any], fmt: str, name: str) -> HttpResponse:
    """The export as a download that no cache keeps."""
    if fmt == "csv":
        response = HttpResponse(personal_data_csv(data), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        raise Http404()
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def person_data(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A person's access export: a coordinator of their programme, or the person."""
    person = access.get_visible(request.user, Person.objects.select_related("programme", "user"), pk=pk)
    try:
        data = personal_data(reader=request.user, person=person)
    except NotPermitted:
        raise Http404() from None
    return personal_data_response(data, fmt, f"person-{person.pk}")
