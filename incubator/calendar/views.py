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


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    # The token check reads the primary: a rotated token must stop working at once.
    feed = CalendarFeed.objects.filter(token=token, revoked_at__isnull=True).select_related("programme").first()
    if feed is None:
        raise Http404()
    with reads_from_replica():
        events = calendar.events_for(feed)
    body = calendar.build_ics(f"{feed.programme.code} - {feed.get_kind_display()}", events)
    tag = calendar.etag(body)
    modified = max((e.last_modified for e in events), default=feed.created_at)
    last_modified = int(modified.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if (if_none_match and _matches(if_none_match, tag)) or (
        if_none_match is None and since is not None and last_modified <= since
    ):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["ETag"] = tag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=300"
    return response
