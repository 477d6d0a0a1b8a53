"""Expense reports of one grant may not cover overlapping periods (issue 20, item 3).

On PostgreSQL an exclusion constraint holds the rule for every write (the admin, imports,
two requests at once). The grant id is compared as a one-value range so that no extension
(btree_gist) is needed. SQLite has no exclusion constraints: there the service's check,
made under the grant's row lock, is the rule (``incubator.funding.expenses``)."""

from django.db import migrations

NAME = "expense_report_periods_do_not_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE incubator_expensereport ADD CONSTRAINT {NAME} EXCLUDE USING gist ("
        "int8range(grant_id, grant_id, '[]') WITH &&, "
        "daterange(period_start, period_end, '[]') WITH &&)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE incubator_expensereport DROP CONSTRAINT IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("incubator", "0009_privacy_acceptance")]

    operations = [migrations.RunPython(add, drop, elidable=False)]
