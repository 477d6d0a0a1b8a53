"""The background work of notifications, as Django tasks (``django_tasks_db`` in
deployment, run by ``manage.py db_worker``; the immediate backend in tests)."""

from django.tasks import task


@task()
def send_emails_task() -> dict[str, int]:
    """Sends every notification and digest e-mail that is due. Safe to run twice at once:
    each row is claimed before it is sent."""
    from incubator.notifications import delivery

    return {"notifications": delivery.send_due_notifications(), "digests": delivery.send_due_digests()}
