"""Background work of the core, as Django tasks (``django.tasks``: the ``django_tasks_db``
backend in deployment, run by ``manage.py db_worker``; the immediate backend in tests)."""

from django.tasks import task


@task()
def anonymise_expired_task(today: str | None = None) -> dict[str, int]:
    """Anonymises the people of every programme whose retention period has ended (see
    ``incubator.privacy.services.anonymise_expired``). ``today`` is an ISO date (tests and
    catch-up runs); the arguments of a task must be JSON."""
    import datetime as dt

    from incubator.privacy.services import anonymise_expired

    return anonymise_expired(today=dt.date.fromisoformat(today) if today else None)
