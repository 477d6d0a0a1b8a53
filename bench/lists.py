"""Every list endpoint of the API, found by walking the URL resolver (a new viewset is
measured without touching this file), through the full stack - session authentication,
middleware, access rules, filters, pagination, serializers, JSON rendering - with the
Django test client against the real URLconf.

The floor of an endpoint is its own row queries (every SELECT it ran except the session
and user lookups) run again straight on a DB-API cursor, with every row fetched and
JSON-encoded: what fetching and encoding the same rows costs without the framework."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bench.common import (
    Settings,
    Table,
    client_for,
    fmt_ms,
    fmt_ratio,
    median_ms,
    ratio,
    raw_fetch_and_encode,
    recording,
    verdict,
)
from incubator import access

GOAL = 3.0


@dataclass(frozen=True)
class Endpoint:
    route: str  # as the resolver spells it, e.g. api/v1/grants/{grant_pk}/tranches/
    url_name: str  # namespaced, for reverse()
    view_class: type
    kwarg_names: tuple[str, ...]

    @property
    def basename(self) -> str:
        return self.url_name.rsplit(":", 1)[-1].removesuffix("-list")

    @property
    def model(self):
        queryset = getattr(self.view_class, "queryset", None)
        return queryset.model if queryset is not None else None


def _walk(patterns, prefix: str = "", namespace: str = "", names: tuple[str, ...] = ()) -> Iterator[Endpoint]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            groups = tuple(pattern.pattern.regex.groupindex)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns, names + groups)
        elif isinstance(pattern, URLPattern):
            actions = getattr(pattern.callback, "actions", None) or {}
            if actions.get("get") != "list" or not pattern.name:
                continue
            groups = names + tuple(pattern.pattern.regex.groupindex)
            route = prefix + str(pattern.pattern)
            for group in groups:
                route = route.replace(f"(?P<{group}>\\d+)", "{" + group + "}")
            yield Endpoint(
                route=route.replace("^", "").replace("$", ""),
                url_name=f"{namespace}:{pattern.name}" if namespace else pattern.name,
                view_class=pattern.callback.cls,
                kwarg_names=groups,
            )


def list_endpoints() -> list[Endpoint]:
    """The GET list actions of every viewset in the URLconf, in URL order."""
    return list(_walk(get_resolver().url_patterns))


def _parent_kwargs(endpoint: Endpoint, user) -> dict[str, int] | None:
    """``<field>_pk`` of a nested route: the visible parent with the most rows here."""
    model = endpoint.model
    kwargs = {}
    for name in endpoint.kwarg_names:
        field_name = name.removesuffix("_pk")
        if model is None:
            return None
        busiest = (
            access.visible(user, model)
            .values(field_name)
            .annotate(n=Count("pk"))
            .order_by("-n", field_name)
            .values_list(field_name, flat=True)
            .first()
        )
        if busiest is None:
            related = model._meta.get_field(field_name).related_model
            busiest = access.visible(user, related).values_list("pk", flat=True).first()
        if busiest is None:
            return None
        kwargs[name] = busiest
    return kwargs


def _timesheet(user) -> dict[str, Any] | None:
    """The timesheet list answers one tutor's month: the busiest past month of the
    visible tutor with the most sessions."""
    from django.utils import timezone

    from mentoring.models import TutoringSession

    row = (
        access.visible(user, TutoringSession)
        .filter(starts_at__lt=timezone.now() - dt.timedelta(days=31))
        .values("tutor_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "tutor_id")
        .first()
    )
    if row is None:
        return None
    last = (
        TutoringSession.objects.filter(tutor_id=row["tutor_id"], starts_at__lt=timezone.now() - dt.timedelta(days=31))
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    local = timezone.localtime(last)
    return {"tutor": row["tutor_id"], "month": f"{local.year:04d}-{local.month:02d}"}


# Lists that answer 400 without some query parameters: how to fill them in. A new one
# shows in the table as "needs parameters" until it is added here.
REQUIRED_QUERY: dict[str, Callable[[Any], dict[str, Any] | None]] = {"timesheet": _timesheet}


def list_urls(user, page_size: int = 50) -> list[str]:
    """A page of every list endpoint ``user`` can open: nested lists under their busiest
    visible parent, required parameters filled in; lists without data for them left out."""
    urls = []
    for endpoint in list_endpoints():
        kwargs = _parent_kwargs(endpoint, user) if endpoint.kwarg_names else {}
        if kwargs is None:
            continue
        query: dict[str, Any] = {"page_size": page_size}
        if endpoint.basename in REQUIRED_QUERY:
            extra = REQUIRED_QUERY[endpoint.basename](user)
            if extra is None:
                continue
            query.update(extra)
        urls.append(_with_query(reverse(endpoint.url_name, kwargs=kwargs), query))
    return urls


@dataclass
class ListFigure:
    endpoint: Endpoint
    status: int | None = None
    rows: int = 0
    queries_one: int | None = None
    queries_fifty: int = 0
    full_ms: float = 0.0
    floor_ms: float = 0.0
    note: str = ""

    @property
    def ratio(self) -> float:
        return ratio(self.full_ms, self.floor_ms)


def _rows(response) -> int:
    data = response.json()
    if isinstance(data, dict) and "results" in data:
        return len(data["results"])
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        return len(data["rows"])
    return 1


def _with_query(url: str, query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return f"{url}?{urlencode(query)}" if query else url


def measure(endpoint: Endpoint, settings: Settings, client=None) -> ListFigure:
    user = settings.user
    client = client or client_for(user)
    figure = ListFigure(endpoint)
    kwargs = _parent_kwargs(endpoint, user) if endpoint.kwarg_names else {}
    if kwargs is None:
        figure.note = "no visible parent record"
        return figure
    query: dict[str, Any] = {}
    if endpoint.basename in REQUIRED_QUERY:
        extra = REQUIRED_QUERY[endpoint.basename](user)
        if extra is None:
            figure.note = "no data for its parameters"
            return figure
        query.update(extra)
    url = reverse(endpoint.url_name, kwargs=kwargs)
    first = client.get(_with_query(url, query))
    figure.status = first.status_code
    if first.status_code != 200:
        figure.note = "needs parameters" if first.status_code == 400 else f"answered {first.status_code}"
        return figure
    with recording() as fifty:
        response = client.get(_with_query(url, query))
    figure.rows = _rows(response)
    figure.queries_fifty = fifty.count
    paginated = getattr(endpoint.view_class, "pagination_class", None) is not None
    if paginated:
        with recording() as one:
            client.get(_with_query(url, {**query, "page_size": 1}))
        figure.queries_one = one.count
    figure.full_ms = median_ms(lambda: client.get(_with_query(url, query)), settings.repeat)
    statements = fifty.row_queries()
    figure.floor_ms = median_ms(lambda: raw_fetch_and_encode(statements), settings.repeat)
    return figure


def fixed_cost_ms(settings: Settings) -> float:
    """An authenticated API request that fetches no rows (``bench.urls``)."""
    from django.test import override_settings

    client = client_for(settings.user)
    with override_settings(ROOT_URLCONF="bench.urls"):
        return median_ms(lambda: client.get("/bench/no-rows/"), settings.repeat)


def run(settings: Settings, out: Callable[[str], None]) -> list[ListFigure]:
    out(
        "List endpoints: 50 rows (a page), authenticated, full Django stack, against the same row "
        f"queries as raw SQL + JSON encoding. Goal: at most {GOAL:.0f}x."
    )
    fixed = fixed_cost_ms(settings)
    table = Table(
        ("endpoint", 46),
        ("rows", 4),
        ("queries 1/50", 12),
        ("full ms", 8),
        ("floor ms", 8),
        ("ratio", 7),
        ("", 9),
        ("beyond fixed", 12),
    )
    client = client_for(settings.user)
    figures = []
    for endpoint in list_endpoints():
        figure = measure(endpoint, settings, client)
        figures.append(figure)
        if figure.note:
            table.add("/" + endpoint.route, "-", "-", "-", "-", "-", figure.note, "-")
            continue
        queries = f"{figure.queries_one if figure.queries_one is not None else '-'}/{figure.queries_fifty}"
        table.add(
            "/" + endpoint.route,
            figure.rows,
            queries,
            fmt_ms(figure.full_ms),
            fmt_ms(figure.floor_ms),
            fmt_ratio(figure.ratio),
            verdict(figure.ratio <= GOAL),
            fmt_ratio(ratio(max(0.0, figure.full_ms - fixed), figure.floor_ms)),
        )
    out(str(table))
    measured = [f for f in figures if not f.note]
    if measured:
        within = sum(1 for f in measured if f.ratio <= GOAL)
        ratios = sorted(f.ratio for f in measured)
        worst = max(measured, key=lambda f: f.ratio)
        out(
            f"{within} of {len(measured)} endpoints within {GOAL:.0f}x; "
            f"median ratio {fmt_ratio(ratios[len(ratios) // 2])}, "
            f"worst {fmt_ratio(worst.ratio)} (/{worst.endpoint.route}). "
            f"Queries per request do not grow with the rows: "
            f"{sum(1 for f in measured if f.queries_one in (None, f.queries_fifty))} of {len(measured)} "
            "use as many queries for 1 row as for 50."
        )
        beyond = sum(1 for f in measured if ratio(max(0.0, f.full_ms - fixed), f.floor_ms) <= GOAL)
        out(
            f"Fixed cost of an authenticated API request that fetches no rows (session, user, middleware, DRF, "
            f"throttle, JSON): {fmt_ms(fixed)} ms. Beyond it (full - fixed against the floor), {beyond} of "
            f"{len(measured)} endpoints are within {GOAL:.0f}x."
        )
    return figures
