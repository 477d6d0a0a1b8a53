"""Every registered URL route, walked from ``get_resolver().url_patterns``, and how to
build the URL of each one for a given programme's records (``tests.trust.worlds.Full``).

``ID_ROUTES`` maps every route that names a record (a key = the route's name, or the
namespace and pattern for the admin's unnamed ones) to an ``Entry``: how to fill its
parameters from a ``Full`` programme and which role of that programme reaches it (the
proof that the URL names a real record). A route that takes a record id and has no entry
here fails ``test_every_route_with_an_id_is_mapped``, naming it: add it when you add the
route. Routes without an id are checked for anonymous refusal, except ``PUBLIC``."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.admin.sites import site as admin_site
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import TokenProxy

from cohorts.workspace.checkin import checkin_code
from incubator.accounts.models import PrivacyAcceptance
from incubator.models import Person, RoleAssignment

# Parameters that do not name a record.
NOT_IDS = frozenset({"year", "month", "fmt", "app_label", "url"})


@dataclass(frozen=True)
class Route:
    key: str
    name: str
    pattern: str
    params: tuple[str, ...]
    callback: Callable

    @property
    def has_id(self) -> bool:
        return bool(set(self.params) - NOT_IDS)

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/v1/")

    def methods(self) -> list[str]:
        """The HTTP methods the view answers, when it says (DRF views do); else GET."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            allowed = getattr(getattr(self.callback, "cls", None), "http_method_names", ())
            return sorted(m for m in actions if m in ("get", "post", "patch", "put", "delete") and m in allowed)
        view_class = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        if view_class is not None and hasattr(view_class, "http_method_names") and not self.is_admin:
            own = [m for m in ("get", "post", "patch", "put", "delete") if hasattr(view_class, m)]
            if own:
                return own
        return ["get"]


def _params(pattern) -> list[str]:
    regex = getattr(pattern, "regex", None)
    names = list(getattr(pattern, "converters", {}) or {})
    if regex is not None:
        names += [n for n in regex.groupindex if n not in names]
    return names


def walk(patterns=None, prefix: str = "", namespace: str = "", params: tuple[str, ...] = ()):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        found = tuple(params) + tuple(_params(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns, found)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = namespace + entry.name if entry.name else ""
            yield Route(
                key=name or f"{namespace}{pattern}",
                name=name,
                pattern=pattern,
                params=found,
                callback=entry.callback,
            )


def all_routes() -> list[Route]:
    return list(walk())


def url_of(route: Route, values: dict) -> str:
    """The route's URL with ``values`` put in its parameters (works for unnamed ones)."""
    url = "/" + route.pattern
    for name, value in values.items():
        url = re.sub(rf"\(\?P<{name}>[^)]*\)|<(?:[a-z]+:)?{name}>", str(value), url)
    url = url.replace("^", "").replace("$", "")
    assert "<" not in url and "(?P" not in url, (route.key, url)
    return url


# --- what each route with an id names -------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    build: Callable  # Full -> {parameter: value}
    owner: str = "coordinator"  # the role of the record's own programme that reaches it
    # (own programme, other programme) -> parameters naming the other's record under one of ours
    mixed: Callable | None = None
    note: str = ""


def pk(attr: str, **extra) -> Callable:
    def build(full):
        return {"pk": getattr(full, attr).pk, **{k: v(full) for k, v in extra.items()}}

    return build


def nested(parent: str, child: str, parent_kwarg: str = "grant_pk") -> Entry:
    return Entry(
        build=lambda o: {parent_kwarg: getattr(o, parent).pk, "pk": getattr(o, child).pk},
        mixed=lambda own, other: {parent_kwarg: getattr(own, parent).pk, "pk": getattr(other, child).pk},
    )


def _month(full) -> dict:
    day = full.tutoring_session.starts_at
    return {"year": day.year, "month": day.month}


def _notification(full):
    """A notification of the programme's participant (a person's own, whatever the programme)."""
    from incubator.notifications.models import Notification

    found, _created = Notification.objects.get_or_create(
        recipient=full.world.participant,
        key=f"trust:{full.programme.pk}",
        defaults={"kind": "ranking_published", "subject": "Ranking", "body": "Published", "language": "en"},
    )
    return found


def _criterion(full):
    from incubator.selection.models import Criterion

    found, _created = Criterion.objects.get_or_create(
        call=full.call, name="Trust", defaults={"weight": 1, "max_score": 10, "order": 99}
    )
    return found


def _answered_file(full):
    """A file answered in the call's form by the programme's application."""
    from django.core.files.base import ContentFile

    from incubator.selection.models import Answer, FormSection, Question, QuestionKind

    section, _created = FormSection.objects.get_or_create(call=full.call, title_it="Documenti", order=99)
    question, _created = Question.objects.get_or_create(
        section=section, kind=QuestionKind.FILE, label_it="Piano", defaults={"required": False}
    )
    answer = Answer.objects.filter(application=full.application, question=question).first()
    if answer is None:
        answer = Answer.objects.create(
            application=full.application,
            question=question,
            file=ContentFile(b"%PDF-1.4", name="piano.pdf"),
            file_name="piano.pdf",
        )
    return answer


def _certified(full):
    """The cohort and the participant, marked present at the cohort's held session so that
    they reach the completion threshold: the certificate exists, so a 404 is a refusal."""
    from cohorts import services as cohort_services

    cohort_services.attendance_mark_bulk(
        actor=full.world.coordinator, session=full.session, marks=[{"person": full.person.pk, "status": "present"}]
    )
    return {"pk": full.cohort.pk, "person_pk": full.person.pk}


def _document_template(full):
    """A programme's own version of the receipt's text."""
    from incubator.documents import services
    from incubator.documents.kinds import DEFAULTS, DocumentKind
    from incubator.documents.models import DocumentTemplate

    found = DocumentTemplate.objects.filter(programme=full.programme).first()
    if found is None:
        found = services.template_save(
            actor=full.world.coordinator,
            programme=full.programme,
            kind=DocumentKind.RECEIPT,
            language="it",
            body=DEFAULTS[(DocumentKind.RECEIPT, "it")],
        )
    return found


def _generated_document(full):
    """The receipt of the portal's application, as issued and stored."""
    from incubator.documents import builders, services
    from incubator.documents.kinds import DocumentKind
    from incubator.documents.models import GeneratedDocument

    found = GeneratedDocument.objects.filter(programme=full.programme).first()
    if found is None:
        application = full.portal.application
        found = services.document_issue(
            actor=full.world.coordinator,
            programme_id=full.programme.pk,
            kind=DocumentKind.RECEIPT,
            subject=f"application:{application.pk}",
            language="it",
            values=builders.receipt(application),
        )
    return found


def entries(names: str, entry: Entry) -> dict[str, Entry]:
    return dict.fromkeys(names.split(), entry)


ID_ROUTES: dict[str, Entry] = {
    # --- the selection pipeline API
    "api:programme-detail": Entry(pk("programme")),
    **entries(
        "api:call-detail api:call-ranking api:call-ranking-compute api:call-decide api:call-close", Entry(pk("call"))
    ),
    **entries(
        "api:application-detail api:application-assign-evaluator api:application-check api:application-decide "
        "api:application-refer-to-crowdfunding api:application-submit api:application-withdraw",
        Entry(pk("application")),
    ),
    **entries("api:evaluation-detail api:evaluation-declare-conflict api:evaluation-score", Entry(pk("evaluation"))),
    # --- the evaluators' workspace and the selection board (API and pages)
    **entries(
        "api:call-board api:call-ranking-preview api:call-assign-evaluators api:call-rubric "
        "selection-board selection-applications selection-assign selection-publish selection-decide",
        Entry(pk("call")),
    ),
    **entries("api:application-moderate selection-moderate", Entry(pk("application"))),
    **entries("api:evaluation-draft api:evaluation-reassign selection-reassign", Entry(pk("evaluation"))),
    **entries(
        "selection-evaluation selection-score selection-conflict api:evaluation-reading",
        Entry(pk("evaluation"), owner="evaluator"),
    ),
    **entries(
        "selection-evaluation-file api:evaluation-file",
        Entry(lambda o: {"pk": o.evaluation.pk, "question_pk": _answered_file(o).question_id}, owner="evaluator"),
    ),
    "selection-rubric": Entry(lambda o: {"pk": _criterion(o).pk}),
    **entries("api:venture-detail api:venture-legal-form api:venture-team", Entry(pk("venture"))),
    **entries("api:person-detail api:person-personal-data api:person-erasure api:person-login", Entry(pk("person"))),
    # --- staffing API
    "api:user-detail": Entry(lambda o: {"pk": o.world.tutor.pk}),
    "api:role-assignment-detail": Entry(
        lambda o: {"pk": RoleAssignment.objects.get(user=o.world.tutor, programme=o.world.programme).pk}
    ),
    **entries("api:enrolment-detail api:enrolment-dates api:enrolment-status", Entry(pk("enrolment"))),
    # --- funding API
    **entries(
        "api:grant-detail api:grant-award api:grant-budget api:grant-close api:grant-eligibility api:grant-revoke "
        "api:grant-sign-contract api:grant-start",
        Entry(pk("grant")),
    ),
    **entries(
        "api:grant-tranches-list api:grant-expense-reports-list api:grant-expenses-list",
        Entry(lambda o: {"grant_pk": o.grant.pk}),
    ),
    **entries("api:grant-tranches-detail api:grant-tranches-cancel api:grant-tranches-pay", nested("grant", "tranche")),
    **entries("api:grant-expense-reports-detail api:grant-expense-reports-submit", nested("grant", "expense_report")),
    **entries(
        "api:grant-expenses-detail api:grant-expenses-document api:grant-expenses-review",
        nested("grant", "expense_item"),
    ),
    "api:de-minimis-detail": Entry(lambda o: {"undertaking": o.de_minimis.undertaking}),
    **entries(
        "api:campaign-detail api:campaign-close api:campaign-launch api:campaign-progress", Entry(pk("campaign"))
    ),
    "api:matching-rule-detail": Entry(pk("matching_rule")),
    "api:measure-detail": Entry(pk("measure")),
    # --- organisations and negotiation
    "api:organisation-detail": Entry(pk("organisation")),
    **entries(
        "api:negotiation-detail api:negotiation-agree api:negotiation-compare api:negotiation-grant "
        "api:negotiation-meetings api:negotiation-request-revision api:negotiation-revise "
        "negotiation:detail negotiation:compare",
        Entry(pk("negotiation")),
    ),
    "negotiation:open": Entry(lambda o: {"application_pk": o.negotiation.application_id}),
    **entries("api:programme-budget-detail api:programme-budget-monitoring", Entry(pk("programme"))),
    # --- the path API
    **entries(
        "api:milestone-detail api:milestone-evidence api:milestone-reschedule api:milestone-transition "
        "api:milestone-verify",
        Entry(pk("milestone")),
    ),
    "api:milestone-template-detail": Entry(pk("template")),
    **entries("api:enrolment-suspension-detail api:enrolment-suspension-resume", Entry(pk("suspension"))),
    # --- participants' data API
    "api:participant-entry-data-detail": Entry(pk("entry_data")),
    "api:participant-result-detail": Entry(pk("result")),
    "api:venture-outcome-detail": Entry(pk("outcome")),
    "api:training-unit-cost-detail": Entry(pk("unit_cost")),
    "api:sensitive-data-read-detail": Entry(pk("sensitive_read")),
    **entries("api:consent-detail api:consent-withdraw", Entry(pk("consent"))),
    "api:erasure-request-detail": Entry(pk("erasure")),
    # --- cohorts API
    **entries(
        "api:cohort-detail api:cohort-add-enrolment api:cohort-attendance api:cohort-calendar-feed "
        "api:cohort-calendar-feed-rotate api:cohort-remove-enrolment",
        Entry(pk("cohort")),
    ),
    "api:cohort-person-attendance": Entry(
        lambda o: {"pk": o.cohort.pk, "person_pk": o.person.pk},
        mixed=lambda own, other: {"pk": own.cohort.pk, "person_pk": other.person.pk},
    ),
    "api:cohort-module-detail": Entry(pk("module")),
    **entries(
        "api:training-session-detail api:training-session-attendance api:training-session-cancel",
        Entry(pk("session")),
    ),
    "api:attendance-detail": Entry(pk("attendance")),
    "api:report-cohort": Entry(pk("cohort")),
    "api:report-programme": Entry(pk("programme")),
    **entries("api:report-export-detail api:report-export-download", Entry(pk("report_export"))),
    # --- mentoring API
    "api:unit-cost-band-detail": Entry(pk("band")),
    **entries(
        "api:tutor-detail api:tutor-calendar-feed api:tutor-calendar-feed-rotate", Entry(pk("profile"), owner="tutor")
    ),
    "api:tutor-conflict-detail": Entry(pk("conflict")),
    "api:venture-needs-detail": Entry(pk("needs")),
    "api:assignment-detail": Entry(pk("assignment")),
    "api:tutoring-session-detail": Entry(pk("tutoring_session"), owner="tutor"),
    "api:action-item-detail": Entry(pk("action_item"), owner="tutor"),
    # --- pages
    **entries(
        "path-evidence path-evidence-upload path-milestone-state path-milestone-verify",
        Entry(pk("milestone"), owner="participant"),
    ),
    "path-calendar": Entry(lambda o: {"programme_pk": o.programme.pk}, owner="participant"),
    "path-suspension": Entry(pk("enrolment")),
    "person-data": Entry(lambda o: {"pk": o.person.pk, "fmt": "json"}),
    **entries(
        "cohorts:cohort cohorts:calendar-feed cohorts:calendar-feed-rotate cohorts:attendance", Entry(pk("cohort"))
    ),
    "cohorts:participant-attendance": Entry(
        lambda o: {"pk": o.cohort.pk, "person_pk": o.person.pk},
        mixed=lambda own, other: {"pk": own.cohort.pk, "person_pk": other.person.pk},
    ),
    "cohorts:register": Entry(pk("session")),
    **entries(
        "cohorts:workspace-register cohorts:workspace-checkin cohorts:workspace-checkin-state "
        "cohorts:workspace-checkin-qr",
        Entry(pk("session")),
    ),
    # A genuine code of the session: its participants reach the page (outside the session's
    # time it says check-in is closed, 400); anyone else gets 404.
    "cohorts:check-in": Entry(
        lambda o: {"pk": o.session.pk, "code": checkin_code(o.session)},
        owner="participant",
        note="the code is made for the session when the URL is built",
    ),
    "cohorts:venture-path": Entry(pk("enrolment")),
    **entries("cohorts:report-export-status cohorts:report-export-download", Entry(pk("report_export"))),
    "mentoring:session-edit": Entry(pk("tutoring_session"), owner="tutor"),
    "mentoring:calendar-link": Entry(lambda o: {"profile_pk": o.profile.pk}, owner="tutor"),
    "mentoring:timesheet": Entry(lambda o: {"tutor_pk": o.profile.pk, **_month(o)}, owner="tutor"),
    "mentoring:timesheet-export": Entry(lambda o: {"tutor_pk": o.profile.pk, **_month(o), "fmt": "csv"}, owner="tutor"),
    "mentoring:venture-log": Entry(lambda o: {"venture_pk": o.venture.pk}),
    "mentoring:action-item-done": Entry(pk("action_item"), owner="tutor"),
    "notifications:read": Entry(lambda o: {"pk": _notification(o).pk}, owner="participant"),
    **entries(
        "api:notification-detail api:notification-read",
        Entry(lambda o: {"pk": _notification(o).pk}, owner="participant"),
    ),
    "api:notification-delivery-detail": Entry(lambda o: {"pk": _notification(o).pk}, owner="admin"),
    # --- the applicant portal: the applicant's own application (pages and API)
    **entries(
        "selection:application selection:save selection:budget-add selection:invite selection:check "
        "selection:organisation selection:partners "
        "selection:submit selection:receipt selection:receipt-download selection:withdraw "
        "api:my-application-detail api:my-application-answers api:my-application-attachments "
        "api:my-application-budget api:my-application-invite api:my-application-missing "
        "api:my-application-submit api:my-application-withdraw",
        Entry(lambda o: {"pk": o.portal.application.pk}, owner="applicant"),
    ),
    "selection:answer-file": Entry(
        lambda o: {"pk": o.portal.application.pk, "question_pk": o.portal.question.pk},
        owner="applicant",
        mixed=lambda own, other: {"pk": own.portal.application.pk, "question_pk": other.portal.question.pk},
    ),
    "selection:budget-remove": Entry(
        lambda o: {"pk": o.portal.application.pk, "item_pk": o.portal.budget_item.pk},
        owner="applicant",
        mixed=lambda own, other: {"pk": own.portal.application.pk, "item_pk": other.portal.budget_item.pk},
    ),
    "selection:integration-answer": Entry(
        lambda o: {"pk": o.portal.application.pk, "request_pk": o.portal.integration.pk},
        owner="applicant",
        mixed=lambda own, other: {"pk": own.portal.application.pk, "request_pk": other.portal.integration.pk},
    ),
    "selection:integration-file": Entry(
        lambda o: {"pk": o.portal.application.pk, "file_pk": o.portal.integration_file.pk},
        owner="applicant",
        mixed=lambda own, other: {"pk": own.portal.application.pk, "file_pk": other.portal.integration_file.pk},
    ),
    # --- the office's side of the portal
    "selection:office-submissions": Entry(pk("call")),
    **entries(
        "selection:office-application selection:office-integration api:submission-detail",
        Entry(lambda o: {"pk": o.portal.application.pk}),
    ),
    "selection:office-ineligible": Entry(
        lambda o: {"pk": o.portal.application.pk, "request_pk": o.portal.integration.pk},
        mixed=lambda own, other: {"pk": own.portal.application.pk, "request_pk": other.portal.integration.pk},
    ),
    **entries(
        "api:integration-request-detail api:integration-request-answer api:integration-request-declare-ineligible",
        Entry(lambda o: {"pk": o.portal.integration.pk}),
    ),
    # --- documents (PDFs issued on request)
    "documents:application-document": Entry(lambda o: {"pk": o.portal.application.pk, "kind": "receipt"}),
    "documents:ranking-act": Entry(pk("call")),
    "documents:grant-act": Entry(pk("grant")),
    "documents:signed-act": Entry(pk("grant")),
    "documents:signed-act-file": Entry(pk("signed_act")),
    "api:grant-signed-acts-list": Entry(lambda o: {"grant_pk": o.grant.pk}),
    "api:grant-signed-acts-detail": nested("grant", "signed_act"),
    "cohorts:register-pdf": Entry(pk("session")),
    "cohorts:cohort-register-pdf": Entry(pk("cohort")),
    "cohorts:certificate": Entry(
        _certified,
        owner="participant",
        mixed=lambda own, other: {**_certified(other), "pk": own.cohort.pk},
        note="the participant is marked present so that the certificate is issued",
    ),
    "mentoring:timesheet-pdf": Entry(lambda o: {"tutor_pk": o.profile.pk, **_month(o)}, owner="tutor"),
    # --- background imports through the API: a job is its requester's
    "api:import-job-detail": Entry(lambda o: {"pk": o.import_jobs["incubator.Person"].pk}),
    "admin:view_on_site": Entry(
        lambda o: {"content_type_id": ContentType.objects.get_for_model(Person).pk, "object_id": o.person.pk},
        note="no model has get_absolute_url: the shortcut answers 404 for any object",
    ),
}

# Token URLs: the secret token is the credential (anyone holding it reads the feed), so
# they are not in the matrix; ``test_calendar_token_is_the_only_key`` covers them.
TOKEN_ROUTES = {
    "calendar-feed": "the token is the credential",
    "account_confirm_email": "the e-mail verification key is the credential (tests/accounts)",
    "account_reset_password_from_key": "the password reset key is the credential (tests/accounts)",
    "notifications:unsubscribe": "the signed token is the credential (RFC 8058 one-click, no login)",
    "selection:invitation": "the co-applicant invitation's token is the credential (tests/portal)",
    "documents:certificate-verify": "the certificate's code is the credential (tests/documents)",
}

# Routes with an id that any logged-in account may use on any programme's record (so not
# a programme's 404): anonymous visitors are sent to the login page.
ANY_ACCOUNT: dict[str, Callable] = {
    "selection:apply": lambda o: {"pk": o.call.pk},  # anyone may apply to an open public call
}

# Routes whose parameter names a kind of record, not a record: the back office's rules
# answer each role, the same for every kind (the rows are those the user reaches:
# tests/api/test_data_io.py, tests/trust/test_exports.py). route -> (the kinds, the
# method, {role: status}); an empty import is bad input (400) for whoever may import.
MAY_NOT = 403
BY_ROLE: dict[str, tuple[tuple[str, ...], str, dict[str, int]]] = {
    "api:import": (
        ("people", "applications", "attendance", "tutoring-sessions"),
        "post",
        {"admin": 400, "coordinator": 400, "evaluator": MAY_NOT, "tutor": MAY_NOT, "participant": MAY_NOT}
        | {"applicant": MAY_NOT},
    ),
    "api:export": (
        (
            *("people", "applications", "attendance", "tutoring-sessions", "grants", "tranches", "expenses"),
            *("de-minimis", "campaigns"),
        ),
        "get",
        {"admin": 200, "coordinator": 200, "evaluator": MAY_NOT, "tutor": MAY_NOT, "participant": MAY_NOT}
        | {"applicant": MAY_NOT},
    ),
}

# Routes anyone may open without logging in.
PUBLIC = {
    "set_language": "switching the language needs no account",
    "api:token-obtain": "where an API client logs in",
    "schema": "the OpenAPI schema of the API (no data)",
    "api-docs": "the API's browsable documentation (no data)",
    "login": "the old login address: sends to the login page",
    "logout": "logging out (POST) answers a page even when already logged out",
    "account_login": "the login page",
    "account_logout": "logging out answers a page even when already logged out",
    "account_signup": "sign-up",
    "account_email_verification_sent": "'check your mailbox' after sign-up",
    "account_confirm_email": "the e-mail verification link (its key is the credential)",
    "account_reset_password": "asking for a password reset link",
    "account_reset_password_done": "'check your mailbox' after asking for a reset",
    "account_reset_password_from_key": "the password reset link (its key is the credential)",
    "account_reset_password_from_key_done": "'your password is changed'",
    "account_inactive": "'this account is inactive' (no data)",
    "admin:login": "the back office's login page",
    "admin:logout": "logging out of the back office",
    "admin:jsi18n": "the admin's translation catalogue (static text)",
    "javascript-catalog": "our scripts' translation catalogue (static text, loaded by every page)",
    "calendar-feed": "the secret token in the URL is the credential",
    "api:not-found": "answers 404 in JSON for any address the API does not have (no data)",
    "notifications:unsubscribe": "a mail client posts the one-click unsubscribe without a session",
    "accessibility": "the accessibility statement, linked from every footer",
    "privacy": "the privacy notice (GDPR art. 13), read before signing up",
    "home": "the welcome page: the open calls and the way in",
    "selection:calls": "the public list of calls",
    "selection:call": "a call's public page",
    "selection:call-document": "the call's text and annexes, published with the call",
    "selection:call-ranking": "the published ranking, by protocol number (no names)",
    "selection:invitation": "the co-applicant invitation link (its token is the credential)",
    "documents:certificate-verify": "checks a certificate's code (the code is the credential; only what it prints)",
}


# --- the back office: its models and the record each one's routes name ----------------------

ADMIN_OBJECTS: dict[str, tuple[Callable, str]] = {
    # model label: (Full -> record, the role of that record's programme that reaches it)
    "incubator.programme": (lambda o: o.programme, "coordinator"),
    "incubator.call": (lambda o: o.call, "coordinator"),
    "incubator.person": (lambda o: o.person, "coordinator"),
    "incubator.venture": (lambda o: o.venture, "coordinator"),
    "incubator.application": (lambda o: o.application, "coordinator"),
    "incubator.evaluation": (lambda o: o.evaluation, "coordinator"),
    "incubator.enrolment": (lambda o: o.enrolment, "coordinator"),
    "incubator.milestonetemplate": (lambda o: o.template, "coordinator"),
    "incubator.milestone": (lambda o: o.milestone, "coordinator"),
    "incubator.auditevent": (lambda o: o.audit_event, "coordinator"),
    "incubator.grant": (lambda o: o.grant, "coordinator"),
    "incubator.tranche": (lambda o: o.tranche, "coordinator"),
    "incubator.expensereport": (lambda o: o.expense_report, "coordinator"),
    "incubator.expenseitem": (lambda o: o.expense_item, "coordinator"),
    "incubator.deminimisaid": (lambda o: o.de_minimis, "coordinator"),
    "incubator.matchingrule": (lambda o: o.matching_rule, "coordinator"),
    "incubator.measure": (lambda o: o.measure, "coordinator"),
    "incubator.organisation": (lambda o: o.organisation, "coordinator"),
    "incubator.crowdfundingcampaign": (lambda o: o.campaign, "coordinator"),
    "incubator.participantentrydata": (lambda o: o.entry_data, "coordinator"),
    "incubator.participantresult": (lambda o: o.result, "coordinator"),
    "incubator.ventureoutcome": (lambda o: o.outcome, "coordinator"),
    "incubator.trainingunitcost": (lambda o: o.unit_cost, "coordinator"),
    "incubator.pseudonym": (lambda o: o.entry_data.person.pseudonym, "coordinator"),
    "incubator.sensitivedataread": (lambda o: o.sensitive_read, "coordinator"),
    "incubator.consentrecord": (lambda o: o.consent, "coordinator"),
    "incubator.erasurerequest": (lambda o: o.erasure, "coordinator"),
    "cohorts.cohort": (lambda o: o.cohort, "coordinator"),
    "cohorts.trainingsession": (lambda o: o.session, "coordinator"),
    "cohorts.attendance": (lambda o: o.attendance, "coordinator"),
    "mentoring.unitcostband": (lambda o: o.band, "coordinator"),
    "mentoring.tutorprofile": (lambda o: o.profile, "coordinator"),
    "mentoring.tutorconflict": (lambda o: o.conflict, "coordinator"),
    "mentoring.ventureneeds": (lambda o: o.needs, "coordinator"),
    "mentoring.assignment": (lambda o: o.assignment, "coordinator"),
    "mentoring.tutoringsession": (lambda o: o.tutoring_session, "coordinator"),
    "mentoring.actionitem": (lambda o: o.action_item, "coordinator"),
    # Not a programme's records: administrators only, for anyone else the same answer
    # whether the id exists or not.
    "incubator.user": (lambda o: o.world.participant, "admin"),
    "auth.group": (lambda o: o.group, "admin"),
    "authtoken.tokenproxy": (lambda o: TokenProxy.objects.get(user=o.world.participant), "admin"),
    "django_tasks_database.dbtaskresult": (lambda o: None, "admin"),
    "account.emailaddress": (
        lambda o: EmailAddress.objects.get_or_create(user=o.world.participant, email=o.world.participant.email)[0],
        "admin",
    ),
    "incubator.privacyacceptance": (
        lambda o: PrivacyAcceptance.objects.get_or_create(
            user=o.world.participant, version="test", defaults={"accepted_at": timezone.now()}
        )[0],
        "admin",
    ),
    "incubator.notification": (lambda o: _notification(o), "admin"),
    "incubator.digest": (lambda o: None, "admin"),
    "incubator.calldocument": (lambda o: o.portal.document, "coordinator"),
    "incubator.callfaq": (lambda o: o.portal.faq, "coordinator"),
    "incubator.formsection": (lambda o: o.portal.section, "coordinator"),
    "incubator.question": (lambda o: o.portal.question, "coordinator"),
    "incubator.integrationrequest": (lambda o: o.portal.integration, "coordinator"),
    "incubator.documenttemplate": (_document_template, "coordinator"),
    "incubator.generateddocument": (_generated_document, "coordinator"),
    "incubator.signedact": (lambda o: o.signed_act, "coordinator"),
}


def _admin_entries() -> dict[str, Entry]:
    found = {}
    for model in admin_site._registry:
        label = model._meta.label_lower
        if label not in ADMIN_OBJECTS:
            continue  # reported by the mapping test, by route name
        get, owner = ADMIN_OBJECTS[label]
        info = f"{model._meta.app_label}_{model._meta.model_name}"

        def build(o, get=get):
            record = get(o)
            return {"object_id": record.pk if record is not None else 999_999_999}

        for suffix in ("change", "history", "delete"):
            found[f"admin:{info}_{suffix}"] = Entry(build, owner=owner)
        found[f"admin:admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"] = Entry(
            build, owner=owner, note="redirects to the change page"
        )
        if hasattr(admin_site._registry[model], "import_job_view"):
            found[f"admin:{info}_import_job"] = Entry(
                lambda o, label=model._meta.label: {"job_id": o.import_jobs[label].pk}, owner="coordinator"
            )
        if model._meta.label_lower == "incubator.user":
            found["admin:auth_user_password_change"] = Entry(lambda o: {"id": o.world.participant.pk}, owner="admin")
    return found


def id_routes() -> dict[str, Entry]:
    return {**ID_ROUTES, **_admin_entries()}


@dataclass
class Finding:
    route: str
    role: str
    method: str
    url: str
    status: int
    detail: str = ""
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.route} [{self.role} {self.method.upper()} {self.url}] -> {self.status} {self.detail}".strip()
