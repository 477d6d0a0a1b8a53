"""The public iCalendar endpoint: no login (calendar apps cannot log in), the secret
token is the credential; a revoked or unknown token answers 404."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from config.routers import reads_from_replica
from incubator.calendar import sources as calendar
from incubator.calendar.models import CalendarFeed


def _matches(if_none_match: str, tag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110, 13.1.2): ``W/"x"`` matches ``"x"``. The
    compression middleware sends our tag back weakened, so calendar apps return it so."""
    found = parse_etags(if_none_match)
    return found == ["*"] or any(t.removeprefix("W/") == tag for t in found)


def _not_modified(request: HttpRequest, validators: calendar.Validators) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return _matches(if_none_match, validators.etag)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and validators.last_modified <= since


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    # The token check reads the primary: a rotated token must stop working at once.
    feed = CalendarFeed.objects.filter(token=token, revoked_at__isnull=True).select_related("programme").first()
    if feed is None:
        raise Http404()
    # The version and the events from the same database, so that a body is never cached
    # under a version newer than its rows.
    with reads_from_replica():
        version = calendar.version(feed)
        validators = calendar.cached_validators(feed, version)
        body = None
        if validators is None or not _not_modified(request, validators):
            validators, body = calendar.rendered(feed, version)
    if body is None or _not_modified(request, validators):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["ETag"] = validators.etag
    response["Last-Modified"] = http_date(validators.last_modified)
    response["Cache-Control"] = "private, max-age=300"
    return response
