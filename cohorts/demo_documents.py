"""Demo data, step 96 ("documents"): the attendance register of a session and of the
demo cohort, and a certificate of attendance for the first participant who reached the
threshold (its verification page is public)."""

from cohorts import documents, selectors
from cohorts.models import Cohort, TrainingSession
from incubator.demo_context import DemoContext
from incubator.documents import services
from incubator.documents.kinds import DocumentKind
from incubator.documents.programme import programme_values
from incubator.models import Person

DEMO_SITE = "http://localhost:8000"


def seed_documents(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    coordinator = ctx.users["coordinator"]
    cohort = Cohort.objects.filter(programme=ctx.programme).select_related("programme").order_by("pk").first()
    if cohort is None:
        return
    session = TrainingSession.objects.filter(cohort=cohort, cancelled_at__isnull=True).order_by("starts_at").first()
    if session is not None:
        values = {
            **programme_values(cohort.programme),
            "cohort_name": cohort.name,
            "register_table": documents.session_section(session),
        }
        services.document_issue(
            actor=coordinator, programme_id=cohort.programme_id, kind=DocumentKind.SESSION_REGISTER,
            subject=f"session:{session.pk}", language="it", values=values,
        )  # fmt: skip
    services.document_issue(
        actor=coordinator, programme_id=cohort.programme_id, kind=DocumentKind.COHORT_REGISTER,
        subject=f"cohort:{cohort.pk}", language="it", values=documents.cohort_register_values(cohort),
    )  # fmt: skip
    for row in selectors.attendance_by_person(cohort):
        if row.completed:
            person = Person.objects.get(pk=row.person_id)
            documents.issue_certificate(
                actor=coordinator, cohort=cohort, person=person, language="it", base_url=DEMO_SITE
            )
            break


DEMO_STEPS = [(96, seed_documents)]
