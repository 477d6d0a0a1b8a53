"""Database expressions of the cohorts app."""

from django.db import models


class MinutesBetween(models.Func):
    """Whole minutes from the first datetime to the second, computed by the database so
    that a session's length is a generated column that no write path can get wrong.

    PostgreSQL subtracts two ``timestamptz`` (an immutable operation, as a generated
    column requires); SQLite stores UTC text and ``julianday`` is deterministic unless
    given 'now'. Both round to the nearest minute."""

    output_field = models.IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return self._render(
            compiler, connection, "CAST(ROUND(EXTRACT(EPOCH FROM (%(end)s - %(start)s)) / 60) AS integer)"
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._render(
            compiler, connection, "CAST(ROUND((julianday(%(end)s) - julianday(%(start)s)) * 1440) AS integer)"
        )

    def _render(self, compiler, connection, template: str):
        (start_sql, start_params), (end_sql, end_params) = (
            compiler.compile(arg) for arg in self.get_source_expressions()
        )
        return template % {"start": start_sql, "end": end_sql}, [*end_params, *start_params]
