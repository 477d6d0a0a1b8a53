"""Background work of the cohort reports, as Django tasks (``django.tasks``; the
``django_tasks_db`` backend in deployment, run by ``manage.py db_worker``; the immediate
backend in tests). Exports larger than ``settings.REPORTS_BACKGROUND_THRESHOLD``
participants are built here; the requester follows the status on the exports page."""

from django.tasks import task


@task()
def build_report_export(export_id: int) -> str:
    from cohorts.services_reports import report_export_build

    return report_export_build(export_id=export_id).status
