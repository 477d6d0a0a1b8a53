"""The back office's changelists on the data: every registered model's list page (the
first page, 50 rows) as the benchmark's user sees it, with its queries and how many rows
the page says there are. There is no floor here: the goal is bounded work per page -
queries that do not grow with the rows (checked at 1 and 50 rows by the tests) and no
full count of a large table (the count stops at ``CappedCountPaginator.CAP``)."""

import re
from collections.abc import Callable

from django.contrib.admin.sites import site
from django.urls import NoReverseMatch, reverse

from bench.common import Settings, Table, client_for, fmt_ms, median_ms, recording
from incubator.models import User


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out("Back-office changelists (first page) on the data: time and queries.")
    clients = [(settings.user.username, client_for(settings.user))]
    administrator = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if administrator is not None:
        clients.append((administrator.username, client_for(administrator)))
    table = Table(("changelist", 40), ("as", 12), ("rows", 8), ("queries", 7), ("ms", 8))
    figures: dict[str, float] = {}
    for model in sorted(site._registry, key=lambda m: m._meta.label):
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        # The benchmark's user, or an administrator for the lists only they may open.
        for candidate in clients:
            who, client = candidate
            first = client.get(url)
            if first.status_code == 200:
                break
        else:
            table.add(model._meta.label, "-", "-", "-", f"HTTP {first.status_code}")
            continue
        with recording() as recorder:
            client.get(url)
        ms = median_ms(lambda url=url, client=client: client.get(url), settings.repeat)
        figures[model._meta.label] = ms
        table.add(model._meta.label, who, _count(first.content), recorder.count, fmt_ms(ms))
    out(str(table))
    slowest = sorted(figures.items(), key=lambda kv: -kv[1])[:3]
    out("Slowest: " + ", ".join(f"{label} {fmt_ms(ms)} ms" for label, ms in slowest) + ".")
    return figures


def _count(body: bytes) -> str:
    """The row count the page shows ("1,234" or "more than 10000")."""
    text = body.decode(errors="replace")
    found = re.search(r'<span class="result-count">(.*?)</span>', text, re.S)
    if not found:
        return "-"
    words = re.sub(r"\s+", " ", found.group(1)).strip().split(" ")
    if words[0].isdigit():
        return words[0]
    number = next((w for w in words if w.isdigit()), "")
    return f">{number}" if number else "-"
