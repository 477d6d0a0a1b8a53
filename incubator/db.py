"""Database expressions shared by the apps' constraints and selectors."""

from django.db import models


class AddMonths(models.Func):
    """``date + n months`` computed by the database, so that a CheckConstraint can hold
    the accompaniment cap (end <= start + the call's max months) for every write path.

    PostgreSQL clamps to the month's last day (31 Jan + 1 month = 28/29 Feb), like
    ``dateutil.relativedelta``; SQLite rolls over (= 2/3 Mar). Services always compute
    the end with the clamping rule, so the constraint is never stricter than they are."""

    output_field = models.DateField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return self._render(compiler, connection, "(%(expressions)s)::date", "(%s + make_interval(months => %s))")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._render(compiler, connection, "%(expressions)s", "date(%s, '+' || %s || ' months')")

    def _render(self, compiler, connection, outer: str, inner: str):
        (date_sql, date_params), (months_sql, months_params) = (
            compiler.compile(arg) for arg in self.get_source_expressions()
        )
        return outer % {"expressions": inner % (date_sql, months_sql)}, [*date_params, *months_params]
