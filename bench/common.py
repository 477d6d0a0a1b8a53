"""What every section of the benchmark shares: timing, query capture, the HTTP client and
the table it prints."""

import json
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client

# Statements that authenticate the request (session, token, user) rather than fetch its rows.
AUTH_STATEMENTS = (
    re.compile(r'FROM "(django_session|authtoken_token)"'),
    re.compile(r'^SELECT [^;]* FROM "incubator_user" WHERE "incubator_user"."id" = %s LIMIT 21$'),
)


@dataclass
class Settings:
    """How the run is made: the user, how many timed runs per figure, the sizes."""

    user: Any
    repeat: int = 5
    export_rows: int = 100_000
    import_rows: int = 2_000
    feed_events: int = 500


def median_ms(fn: Callable[[], Any], repeat: int, warm: int = 1) -> float:
    """The median wall time of ``fn`` in milliseconds, after ``warm`` untimed runs."""
    for _ in range(warm):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool


@dataclass
class Recorder:
    """The SQL statements a block ran, as given to the driver (re-runnable as they are)."""

    statements: list[Statement] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(Statement(sql, params, many))
        return execute(sql, params, many, context)

    @property
    def count(self) -> int:
        return len(self.statements)

    def row_queries(self) -> list[Statement]:
        """The reads that fetch the response's rows: not the session and user lookups."""
        return [
            s
            for s in self.statements
            if s.sql.lstrip().upper().startswith("SELECT") and not any(p.search(s.sql) for p in AUTH_STATEMENTS)
        ]


@contextmanager
def recording() -> Iterator[Recorder]:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        yield recorder


def raw_fetch_and_encode(statements: list[Statement]) -> int:
    """The floor of a read: the statements straight on a DB-API cursor, every row fetched
    and the lot encoded as JSON. Returns the bytes of JSON."""
    rows = []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.sql, statement.params)
            columns = [c[0] for c in cursor.description]
            rows.extend(dict(zip(columns, row, strict=True)) for row in cursor.fetchall())
    return len(json.dumps(rows, default=str))


def client_for(user) -> Client:
    """A test client logged in as ``user``, speaking to a host the settings allow."""
    from django.conf import settings

    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"]
    client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
    client.force_login(user)
    return client


def ratio(value: float, floor: float) -> float:
    return value / floor if floor else float("inf")


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER GOAL"


class Table:
    """A fixed-width table; the benchmark's output is meant to be pasted into docs."""

    def __init__(self, *columns: tuple[str, int]):
        self.columns = columns
        self.lines = [self._line([name for name, _ in columns]), self._line(["-" * w for _n, w in columns])]

    def _line(self, cells) -> str:
        out = []
        for (name, width), cell in zip(self.columns, cells, strict=True):
            text = str(cell)
            out.append(text.ljust(width) if name in ("endpoint", "what", "changelist", "list") else text.rjust(width))
        return "  ".join(out).rstrip()

    def add(self, *cells) -> None:
        self.lines.append(self._line(cells))

    def __str__(self) -> str:
        return "\n".join(self.lines)


def fmt_ms(value: float) -> str:
    return f"{value:.1f}"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}x"
