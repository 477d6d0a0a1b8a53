"""Demo step 25 (after the cohort of step 20): a lesson happening now, run by the
``trainer`` persona, so that the register on the phone and the QR check-in can be tried
at once; the cohort's attendance warning line at 80 %; and, so that the warnings show,
at least one participant under it (the least assiduous one, absent from the last lessons
if the registers of step 20 left everyone above)."""

import datetime as dt

from django.utils import timezone

from cohorts import services
from cohorts.models import AttendanceStatus, Cohort, TrainingSession
from cohorts.selectors import attendance_by_person, attendance_warnings
from incubator.demo_context import DemoContext

WARNING_LINE = 80
NOW_TOPIC = "Laboratorio: il pitch della propria idea"


def _session_now(ctx: DemoContext, cohort: Cohort) -> TrainingSession:
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    module = cohort.modules.order_by("order").first()
    return services.session_create(
        actor=ctx.users["coordinator"],
        cohort=cohort,
        module=module,
        topic=NOW_TOPIC,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Napoli, Hub per l'innovazione sociale – aula 2",
        trainers=[ctx.users["trainer"]],
    )


def _someone_under_the_line(ctx: DemoContext, cohort: Cohort) -> None:
    if attendance_warnings(cohort):
        return
    rows = [row for row in attendance_by_person(cohort) if row.percent is not None]
    if not rows:
        return
    weakest = min(rows, key=lambda row: (row.percent, row.person_id))
    held = list(cohort.sessions.held().counting().order_by("-starts_at")[:8])
    for session in held:
        services.attendance_mark_bulk(
            actor=ctx.users["coordinator"],
            session=session,
            marks=[{"person": weakest.person_id, "status": AttendanceStatus.ABSENT}],
        )
        if attendance_warnings(cohort):
            return


def seed_workspace(ctx: DemoContext) -> None:
    cohort = ctx.extra.get("cohort")
    if cohort is None:
        return
    cohort = services.cohort_update(actor=ctx.users["coordinator"], cohort=cohort, warning_threshold=WARNING_LINE)
    ctx.extra["cohort"] = cohort
    ctx.extra["session_now"] = _session_now(ctx, cohort)
    _someone_under_the_line(ctx, cohort)


DEMO_STEPS = [(25, seed_workspace)]
