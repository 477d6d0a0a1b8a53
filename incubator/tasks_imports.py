"""Background imports as Django tasks (the ``django_tasks_db`` backend in deployment, run
by ``manage.py db_worker``; the immediate backend in tests)."""

from django.tasks import task


@task()
def run_import_job(job_id: int) -> str:
    from incubator.services_imports import import_job_run

    return import_job_run(job_id=job_id).status
