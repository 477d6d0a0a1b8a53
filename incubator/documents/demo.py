"""Demo data, step 96 ("documents"): the demo programme's documents issued through the
real services - a receipt, an eligibility letter, an outcome letter, the ranking act and
a grant concession act (registers, the certificate and the timesheet are issued by the
cohorts and mentoring demo modules of this step)."""

from incubator.demo_context import DemoContext
from incubator.documents import builders, services
from incubator.documents.kinds import DocumentKind
from incubator.funding.models import Grant
from incubator.selection.models import Application, ApplicationState


def seed_documents(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    coordinator = ctx.users["coordinator"]
    programme_id = ctx.programme.pk

    def issue(kind, subject, values):
        services.document_issue(
            actor=coordinator, programme_id=programme_id, kind=kind, subject=subject, language="it", values=values
        )

    submitted = Application.objects.filter(call__programme=ctx.programme, protocol_number__isnull=False)
    application = submitted.select_related("call__programme", "venture").order_by("pk").first()
    if application is not None:
        issue(DocumentKind.RECEIPT, f"application:{application.pk}", builders.receipt(application))
    checked = submitted.exclude(state__in=[ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN]).order_by("pk")
    if (first := checked.select_related("call__programme", "venture").first()) is not None:
        issue(DocumentKind.ELIGIBILITY, f"application:{first.pk}", builders.eligibility(first))
    decided = submitted.filter(
        state__in=[ApplicationState.ADMITTED, ApplicationState.WAITLISTED, ApplicationState.REJECTED]
    )
    if (one := decided.select_related("call__programme", "venture").order_by("pk").first()) is not None:
        issue(DocumentKind.OUTCOME, f"application:{one.pk}", builders.outcome(one))
        issue(DocumentKind.RANKING, f"call:{one.call_id}", builders.ranking(one.call))
    grant = (
        Grant.objects.filter(application__call__programme=ctx.programme, decided_on__isnull=False)
        .select_related("application__call__programme", "venture")
        .order_by("pk")
        .first()
    )
    if grant is not None:
        issue(DocumentKind.GRANT_ACT, f"grant:{grant.pk}", builders.grant_act(grant))


DEMO_STEPS = [(96, seed_documents)]
