"""Demo data, step 96 ("documents"): a tutor's monthly timesheet as a PDF, for the last
month with logged sessions."""

from django.utils import timezone

from incubator.demo_context import DemoContext
from incubator.documents import services
from incubator.documents.kinds import DocumentKind
from mentoring import documents, selectors
from mentoring.models import TutoringSession


def seed_documents(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    last = (
        TutoringSession.objects.filter(tutor__programme=ctx.programme)
        .select_related("tutor__programme", "tutor__user")
        .order_by("-starts_at")
        .first()
    )
    if last is None:
        return
    local = timezone.localtime(last.starts_at)
    tutor, year, month = last.tutor, local.year, local.month
    sheet = selectors.timesheet(tutor=tutor, year=year, month=month)
    services.document_issue(
        actor=ctx.users["coordinator"], programme_id=ctx.programme.pk, kind=DocumentKind.TIMESHEET,
        subject=f"timesheet:{tutor.pk}:{year}-{month:02d}", language="it", values=documents.timesheet_values(sheet),
    )  # fmt: skip


DEMO_STEPS = [(96, seed_documents)]
