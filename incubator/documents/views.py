"""The PDF of each document, for the people who may see the record it is about (404
otherwise): the applicant's team and the programme's coordinators for the receipt and the
letters; the coordinators for the ranking act; the grant's venture team and the
coordinators for the grant act. Each request issues (or finds) the stored document."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from incubator import access
from incubator.documents import builders, services
from incubator.documents.kinds import DocumentKind
from incubator.documents.models import Certificate, GeneratedDocument
from incubator.funding.models import Grant
from incubator.selection.models import Application, ApplicationState, Call

ELIGIBILITY_DONE = (
    ApplicationState.INELIGIBLE,
    ApplicationState.ELIGIBLE,
    ApplicationState.UNDER_EVALUATION,
    ApplicationState.EVALUATED,
    ApplicationState.ADMITTED,
    ApplicationState.WAITLISTED,
    ApplicationState.REJECTED,
)
DECIDED = (ApplicationState.ADMITTED, ApplicationState.WAITLISTED, ApplicationState.REJECTED)


def _pdf(document: GeneratedDocument, name: str) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["X-Content-SHA256"] = document.sha256
    return response


def _language() -> str:
    return (get_language() or "it")[:2]


def _application(request: HttpRequest, pk: int) -> Application:
    # Evaluators see applications for scoring, not the letters addressed to the applicant.
    mine = Q(call__programme__in=access.coordinated(request.user)) | Q(venture__in=access.own_venture_ids(request.user))
    qs = access.visible(request.user, Application).filter(mine).select_related("call__programme", "venture")
    return access.get_visible(request.user, qs, pk=pk)


def _issue(request, *, programme_id: int, kind: str, subject: str, values: dict) -> GeneratedDocument:
    return services.document_issue(
        actor=request.user, programme_id=programme_id, kind=kind, subject=subject, language=_language(), values=values
    )


@login_required
@require_GET
def application_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    application = _application(request, pk)
    if application.protocol_number is None:
        raise Http404()
    if kind == DocumentKind.RECEIPT:
        values = builders.receipt(application)
    elif kind == DocumentKind.ELIGIBILITY and application.state in ELIGIBILITY_DONE:
        values = builders.eligibility(application)
    elif kind == DocumentKind.OUTCOME and application.state in DECIDED:
        values = builders.outcome(application)
    else:
        raise Http404()
    document = _issue(
        request, programme_id=application.call.programme_id, kind=kind, subject=f"application:{pk}", values=values
    )
    return _pdf(document, f"{kind}-{application.call_id}-{application.protocol_number}")


@login_required
@require_GET
def ranking_act(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Call.objects.filter(programme__in=access.coordinated(request.user)).select_related("programme")
    if access.is_admin(request.user):
        qs = Call.objects.select_related("programme")
    call = qs.filter(pk=pk).first()
    if call is None:
        raise Http404()
    document = _issue(
        request, programme_id=call.programme_id, kind=DocumentKind.RANKING, subject=f"call:{pk}",
        values=builders.ranking(call),
    )  # fmt: skip
    return _pdf(document, f"ranking-{pk}")


@login_required
@require_GET
def grant_act(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.visible(request.user, Grant).select_related("application__call__programme", "venture")
    grant = access.get_visible(request.user, qs, pk=pk)
    if grant.decided_on is None:
        raise Http404()
    document = _issue(
        request, programme_id=grant.application.call.programme_id, kind=DocumentKind.GRANT_ACT, subject=f"grant:{pk}",
        values=builders.grant_act(grant),
    )  # fmt: skip
    return _pdf(document, f"grant-act-{pk}")


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether the code belongs to a valid certificate, with only what the
    certificate itself prints (name, course, hours, date). Unknown codes say invalid."""
    certificate = Certificate.objects.filter(code=code.strip().upper(), revoked=False).first()
    response = render(request, "documents/verify.html", {"certificate": certificate, "code": code})
    response["X-Robots-Tag"] = "noindex"
    return response
