"""The last page against the first page of the largest lists. Those lists page by cursor:
the last page is the one a client reaches with the cursor of the list's end (the
``previous`` link seen from beyond it), and an index on the cursor's ordering serves it
as it serves the first. For comparison, the deep ``OFFSET`` page numbers would need is
timed on the same rows (the plain SQL of the first page, shifted to the end)."""

from collections.abc import Callable

from django.db import connection
from django.urls import reverse
from rest_framework.pagination import Cursor, CursorPagination

from bench.common import Settings, Table, client_for, fmt_ms, fmt_ratio, median_ms, ratio, recording, verdict
from bench.lists import list_endpoints
from incubator import access

GOAL = 2.0
LARGEST = ("attendance", "tutoring-session", "training-session")


def _last_page_url(endpoint, url: str) -> str | None:
    paginator = endpoint.view_class.pagination_class()
    if not isinstance(paginator, CursorPagination):
        return None
    paginator.base_url = "http://localhost" + url
    # A reverse cursor without a position: the page before the end of the list.
    return url + "?" + paginator.encode_cursor(Cursor(offset=0, reverse=True, position=None)).split("?", 1)[1]


def _offset_ms(statement, total: int, repeat: int) -> float | None:
    """The first page's own SQL moved to the end of the list with OFFSET."""
    sql = statement.sql
    if " LIMIT " not in sql:
        return None
    shifted = sql.rsplit(" LIMIT ", 1)[0] + f" LIMIT 50 OFFSET {max(0, total - 50)}"

    def run():
        with connection.cursor() as cursor:
            cursor.execute(shifted, statement.params)
            cursor.fetchall()

    return median_ms(run, repeat)


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out(f"Last page against first page of the largest lists (cursor pagination). Goal: at most {GOAL:.0f}x.")
    client = client_for(settings.user)
    by_name = {e.basename: e for e in list_endpoints()}
    table = Table(("list", 32), ("rows", 9), ("first ms", 8), ("last ms", 8), ("ratio", 7), ("", 9), ("OFFSET ms", 9))
    figures: dict[str, float] = {}
    for name in LARGEST:
        endpoint = by_name.get(name)
        if endpoint is None:
            continue
        url = reverse(endpoint.url_name)
        last = _last_page_url(endpoint, url)
        total = access.visible(settings.user, endpoint.model).count()
        if last is None:
            table.add("/" + endpoint.route, f"{total:,}", "-", "-", "-", "not by cursor", "-")
            continue
        with recording() as first_page:
            response = client.get(url)
        last_response = client.get(last)
        assert response.status_code == last_response.status_code == 200, (response.status_code, last)
        first_ms = median_ms(lambda url=url: client.get(url), settings.repeat)
        last_ms = median_ms(lambda last=last: client.get(last), settings.repeat)
        rows = [s for s in first_page.row_queries() if " LIMIT " in s.sql]
        offset = _offset_ms(max(rows, key=lambda s: len(s.sql)), total, settings.repeat) if rows else None
        figures[name] = ratio(last_ms, first_ms)
        table.add(
            "/" + endpoint.route,
            f"{total:,}",
            fmt_ms(first_ms),
            fmt_ms(last_ms),
            fmt_ratio(figures[name]),
            verdict(figures[name] <= GOAL),
            fmt_ms(offset) if offset is not None else "-",
        )
    out(str(table))
    out(
        "OFFSET ms: the first page's SQL alone, moved to the last page with LIMIT 50 OFFSET n (what page numbers "
        "would cost at that depth, before any framework time)."
    )
    return figures
