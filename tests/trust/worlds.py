"""A programme with one record of every kind: what the access matrix and the leak scans
walk through. ``build_full(world)`` starts from ``tests.conftest.World`` (its people of
every role) and adds, mostly through the services, a path with evidence, a cohort with
sessions and attendance, tutoring, a grant with a tranche, a report and an expense, de
minimis aid, a campaign and a matching rule, ESF+ entry data (the violence flag set),
results and outcomes, consent and erasure records, calendar feeds and a report export.

Entry data belongs to ``teammate`` (the participant's team member), not to the
participant: a participant must never see a teammate's, and has none of their own here,
so any entry-data field in what they are shown is a leak."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cohorts import services as cohort_services
from cohorts.reports import services as services_reports
from incubator import models as m
from incubator.calendar import models as calendar_models
from incubator.calendar import services
from incubator.documents.models import GeneratedDocument, SignedAct
from incubator.funding.models import (
    DeMinimisAid,
    ExpenseItem,
    ExpenseReport,
    Grant,
    GrantBudgetLine,
    MatchingRule,
    Tranche,
)
from incubator.imports.models import ImportJob
from incubator.participants import services as services_participants
from incubator.path import models as path_models
from incubator.path import services as services_path
from incubator.path.models import EnrolmentSuspension
from incubator.privacy import services as services_gdpr
from incubator.selection import models as selection_models
from mentoring import services as mentoring_services
from tests import factories as f
from tests.conftest import World
from tests.funding.helpers import PDF, vat
from tests.path.conftest import build_picture, upload

# Values that identify the sensitive records: they must never reach anyone but the
# programme's coordinators and the person.
BIRTH_DATES = {"A": dt.date(1977, 3, 14), "B": dt.date(1968, 11, 23)}


@dataclass
class Full:
    world: World
    programme: m.Programme
    call: selection_models.Call
    person: m.Person
    teammate: m.Person
    venture: m.Venture
    other_venture: m.Venture
    application: selection_models.Application
    enrolment: path_models.Enrolment
    evaluation: selection_models.Evaluation
    milestone: path_models.Milestone
    template: path_models.MilestoneTemplate
    suspension: EnrolmentSuspension
    cohort: object
    module: object
    session: object
    attendance: object
    band: object
    profile: object
    conflict: object
    needs: object
    assignment: object
    tutoring_session: object
    action_item: object
    grant: Grant
    tranche: Tranche
    expense_report: ExpenseReport
    expense_item: ExpenseItem
    de_minimis: DeMinimisAid
    campaign: object
    matching_rule: MatchingRule
    entry_data: object
    result: object
    outcome: object
    unit_cost: object
    sensitive_read: object
    consent: object
    erasure: object
    report_export: object
    participant_feed: calendar_models.CalendarFeed
    tutor_feed: calendar_models.CalendarFeed
    cohort_feed: calendar_models.CalendarFeed
    audit_event: m.AuditEvent
    token: Token
    group: Group
    import_jobs: dict
    birth_date: dt.date
    portal: object = None  # the applicant portal's records (``build_portal``)
    signed_act: object = None  # the grant act signed and verified (a stored row, not a real signature)
    measure: object = None  # the programme's measure (its grant commits against it)
    organisation: object = None  # a municipality applying to the programme's negotiation call
    negotiation: object = None  # that municipality's application under negotiation

    @property
    def prefix(self) -> str:
        return self.programme.code.split("-", 1)[0]


def _negotiation(world: World, prefix: str):
    """A negotiation call of the programme with a municipality's application, found
    eligible and under negotiation (incubator.negotiation), through the services."""
    from incubator.negotiation import services as negotiation_services
    from incubator.selection import partnerships
    from incubator.selection import services as selection_services
    from tests.organisations.helpers import organisation as make_organisation

    call = f.CallFactory(
        programme=world.programme,
        title=f"{prefix} negotiation call",
        procedure="negotiation",
        eligible_organisation_kinds=["municipality"],
        min_population=20000,
    )
    venture = f.VentureFactory(programme=world.programme)
    lead_user = f.UserFactory(username=f"{prefix}-negotiating-lead")
    # its idea holder (lead), who revises the proposal
    f.TeamMemberFactory(venture=venture, person__user=lead_user)
    application = f.ApplicationFactory(call=call, venture=venture)
    municipality = make_organisation(world.programme, name=f"{prefix} Comune", population=95000)
    partnerships.application_set_organisation(
        actor=world.coordinator, application=application, organisation=municipality
    )
    selection_services.application_submit(actor=world.coordinator, application=application)
    selection_services.application_check(actor=world.coordinator, application=application, answers=[], eligible=True)
    negotiation = negotiation_services.negotiation_open(actor=world.coordinator, application=application)
    # One revision round, so that there are two versions to compare.
    negotiation_services.revision_request(actor=world.coordinator, negotiation=negotiation, notes="Lower the costs.")
    negotiation_services.proposal_revise(
        actor=lead_user,
        negotiation=negotiation,
        budget=[{"category": "services", "description": "Co-design workshops", "amount": "30000.00"}],
    )
    negotiation.refresh_from_db()
    return municipality, negotiation


def build_full(world: World) -> Full:
    prefix = world.programme.code.split("-", 1)[0]
    coordinator = world.coordinator
    today = timezone.localdate()
    picture = build_picture(world)
    enrolment = picture.path.enrolment
    milestone = picture.path.milestone("Business plan")
    services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=upload("plan.pdf", PDF))
    suspension = EnrolmentSuspension.objects.create(
        enrolment=enrolment,
        starts_on=enrolment.starts_on + dt.timedelta(days=30),
        ends_on=enrolment.starts_on + dt.timedelta(days=40),
        reason="Illness",
        created_by=coordinator,
    )

    teammate = f.PersonFactory(
        programme=world.programme, first_name=f"Teammate{prefix}", last_name=f"Riservata{prefix}"
    )
    f.TeamMemberFactory(venture=world.venture, person=teammate, role="member")
    birth = BIRTH_DATES.get(prefix, dt.date(1980, 5, 5))
    entry = services_participants.entry_data_create(
        actor=coordinator,
        person=teammate,
        entered_on=enrolment.starts_on,
        gender="female",
        birth_date=birth,
        labour_status="long_term_unemployed",
        isced="isced_3_4",
        third_country_national=True,
        disability="yes",
        minority="yes",
        homeless=True,
        victim_of_violence=True,
    )
    result = services_participants.result_record(
        actor=coordinator,
        person=teammate,
        enrolment=enrolment,
        timing="exit",
        left_on=today - dt.timedelta(days=10),
        observed_on=today - dt.timedelta(days=5),
        source="self_declaration",
        employed=True,
    )
    outcome = services_participants.venture_outcome_record(
        actor=coordinator, enrolment=enrolment, observed_on=today, source="survey", jobs_women=1
    )
    unit_cost = services_participants.training_unit_cost_set(
        actor=coordinator, programme=world.programme, course_hour_rate="100.00", participant_hour_rate="5.00"
    )
    services_participants.pseudonyms_ensure(actor=coordinator, people=m.Person.objects.filter(pk=teammate.pk))
    (sensitive_read,) = services_participants.entry_data_log_reads(
        reader=coordinator, people=[(teammate.pk, world.programme.pk)], channel="api", detail="setup"
    )

    cohort = picture.cohort
    session = cohort.sessions.order_by("starts_at", "pk").first()
    attendance = session.attendance.get()
    profile = picture.assignment.tutor
    other_venture = f.VentureFactory(programme=world.programme, title=f"Other venture {prefix}")
    conflict = mentoring_services.tutor_conflict_declare(
        actor=coordinator, tutor=profile, venture=other_venture, note="Relative of the founder"
    )
    needs = mentoring_services.venture_needs_set(actor=coordinator, venture=world.venture, keywords=["marketing"])
    tutoring_session = picture.assignment.sessions.order_by("starts_at", "pk").first()
    action_item = tutoring_session.action_items.first()

    measure = m.Measure.objects.create(
        programme=world.programme, code="3.3.1", title="Measure", fund="FESR", budget=Decimal("500000.00")
    )
    grant = Grant.objects.create(
        venture=world.venture,
        application=world.application,
        measure=measure,
        fund="FESR",
        undertaking=vat(4000 + world.venture.pk),
        amount=Decimal("50000.00"),
        amount_min=Decimal("25000.00"),
        amount_max=Decimal("140000.00"),
        state="in_progress",
        decided_on=today - dt.timedelta(days=200),
        contract_signed_on=today - dt.timedelta(days=190),
        starts_on=today - dt.timedelta(days=180),
        ends_on=today + dt.timedelta(days=500),
    )
    GrantBudgetLine.objects.create(grant=grant, category="equipment", amount=Decimal("20000.00"))
    tranche = Tranche.objects.create(
        grant=grant, kind="advance", amount=Decimal("100.00"), grant_amount=grant.amount, guarantee_reference="G-1"
    )
    expense_report = ExpenseReport.objects.create(
        grant=grant, period_start=grant.starts_on, period_end=grant.starts_on + dt.timedelta(days=90)
    )
    expense_item = ExpenseItem(
        report=expense_report,
        grant=grant,
        category="equipment",
        supplier="Ferramenta Partenopea srl",
        supplier_tax_id=vat(9100 + grant.pk),
        invoice_number=f"FT-{prefix}-1",
        invoice_date=grant.starts_on + dt.timedelta(days=10),
        amount=Decimal("10.00"),
        invoice_has_cup=True,
    )
    expense_item.document.save("invoice.pdf", ContentFile(PDF), save=False)
    expense_item.save()
    issued_act = GeneratedDocument.objects.create(
        programme=world.programme, kind="grant_act", language="it", subject=f"grant:{grant.pk}",
        template_version=0, content=PDF, sha256=hashlib.sha256(PDF).hexdigest(),
    )  # fmt: skip
    signed_act = SignedAct.objects.create(
        programme=world.programme, grant=grant, document=issued_act, signature_format="pades",
        file_name="atto-firmato.pdf", content=PDF + b"%signed", sha256=hashlib.sha256(PDF + b"%signed").hexdigest(),
        signer_name="Maria Rossi", issuer="Test CA", same_bytes=True,
    )  # fmt: skip
    de_minimis = DeMinimisAid.objects.create(
        undertaking=grant.undertaking,
        programme=world.programme,
        venture=world.venture,
        source="declared",
        granting_body="Regione Campania",
        granted_on=today - dt.timedelta(days=300),
        amount=Decimal("1000.00"),
    )
    matching_rule = MatchingRule.objects.create(
        programme=world.programme, threshold_pct=Decimal("50"), match_rate_pct=Decimal("25"), cap=Decimal("5000")
    )
    campaign = world.venture.campaigns.get()

    evaluation = selection_models.Evaluation.objects.create(application=world.application, evaluator=world.evaluator)
    consent = services_gdpr.consent_record(
        actor=coordinator, person=world.participant_person, purpose="communications", given=True
    )
    leaver = f.PersonFactory(programme=world.programme)
    erasure = services_gdpr.person_erasure_request(actor=coordinator, person=leaver)

    participant_feed = services.calendar_feed_get_or_issue(
        actor=world.participant, kind="participant", programme=world.programme, user=world.participant
    )
    tutor_feed = services.calendar_feed_get_or_issue(
        actor=world.tutor, kind="tutor", programme=world.programme, user=world.tutor
    )
    cohort_feed = cohort_services.cohort_calendar_feed(actor=coordinator, cohort=cohort)
    report_export = services_reports.report_export_request(
        actor=coordinator, programme=world.programme, kind="report_csv", cohort=cohort
    )
    # One background import of the coordinator's per back-office list that imports.
    import_jobs = {
        model._meta.label: ImportJob.objects.create(
            requested_by=coordinator,
            model=model._meta.label,
            resource="0",
            format_index=0,
            file_name=f"django-import-export/{prefix}-{model._meta.model_name}.csv",
            original_name="rows.csv",
            rows=3000,
        )
        for model, model_admin in admin_site._registry.items()
        if hasattr(model_admin, "import_job_view")
    }
    portal = build_portal(world, prefix)
    token, _created = Token.objects.get_or_create(user=world.participant)
    group, _created = Group.objects.get_or_create(name=f"Group {prefix}")
    organisation, negotiation = _negotiation(world, prefix)
    return Full(
        world=world,
        programme=world.programme,
        call=world.call,
        person=world.participant_person,
        teammate=teammate,
        venture=world.venture,
        other_venture=other_venture,
        application=world.application,
        enrolment=enrolment,
        evaluation=evaluation,
        milestone=milestone,
        template=picture.path.templates[0],
        suspension=suspension,
        cohort=cohort,
        module=session.module,
        session=session,
        attendance=attendance,
        band=profile.unit_cost_band,
        profile=profile,
        conflict=conflict,
        needs=needs,
        assignment=picture.assignment,
        tutoring_session=tutoring_session,
        action_item=action_item,
        grant=grant,
        tranche=tranche,
        expense_report=expense_report,
        expense_item=expense_item,
        signed_act=signed_act,
        de_minimis=de_minimis,
        campaign=campaign,
        matching_rule=matching_rule,
        measure=measure,
        organisation=organisation,
        negotiation=negotiation,
        entry_data=entry,
        result=result,
        outcome=outcome,
        unit_cost=unit_cost,
        sensitive_read=sensitive_read,
        consent=consent,
        erasure=erasure,
        report_export=report_export,
        participant_feed=participant_feed,
        tutor_feed=tutor_feed,
        cohort_feed=cohort_feed,
        audit_event=m.AuditEvent.objects.filter(programme=world.programme).order_by("-pk").first(),
        token=token,
        group=group,
        import_jobs=import_jobs,
        birth_date=birth,
        portal=portal,
    )


@dataclass
class Portal:
    """An applicant (a user with no other role) with a submitted application on the call's
    online form, the call's document and FAQ, and an answered integration request."""

    call: object
    applicant: object
    document: object
    faq: object
    section: object
    question: object
    application: selection_models.Application
    budget_item: object
    integration: object
    integration_file: object


def build_portal(world: World, prefix: str) -> Portal:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incubator.models import ApplicantKind
    from incubator.selection import applying, office
    from incubator.selection import services as selection_services
    from incubator.selection.models import CallFaq, FormSection, Question, QuestionKind

    call = f.CallFactory(programme=world.programme, title=f"Open call {prefix}")  # world.call is ranked
    coordinator = world.coordinator
    document = office.document_add(
        actor=coordinator, call=call, title="Bando", file=SimpleUploadedFile("bando.pdf", PDF, "application/pdf")
    )
    faq = office.faq_save(actor=coordinator, faq=CallFaq(call=call, question="Chi?", answer="Tutti"))
    section = FormSection.objects.create(call=call, title_it="Documenti", title_en="Documents", order=1)
    question = Question.objects.create(
        section=section, kind=QuestionKind.FILE, label_it="Piano", label_en="Plan", file_types=["pdf"], max_file_mb=1
    )
    applicant = f.UserFactory(username=f"applicant-{prefix.lower()}")
    application = applying.draft_start(
        actor=applicant,
        call=call,
        title=f"Idea {prefix}",
        applicant_kind=ApplicantKind.INDIVIDUAL,
        first_name="Anna",
        last_name=f"Candidata{prefix}",
        tax_code=f.tax_code(),
    )
    applying.answer_file_upload(
        actor=applicant,
        application=application,
        question=question,
        file=SimpleUploadedFile("piano.pdf", PDF, content_type="application/pdf"),
    )
    low = call.grant_min or Decimal("1000")
    budget_item = applying.budget_item_add(
        actor=applicant, application=application, category="equipment", description="Serra", amount=low
    )
    selection_services.application_submit(actor=applicant, application=application)
    integration = office.integration_request(
        actor=coordinator, application=application, items="Statuto", deadline=timezone.now() + dt.timedelta(days=10)
    )
    office.integration_answer(
        actor=applicant, request=integration, text="Allegato", files=[SimpleUploadedFile("statuto.pdf", PDF)]
    )
    integration.refresh_from_db()
    return Portal(
        call=call,
        applicant=applicant,
        document=document,
        faq=faq,
        section=section,
        question=question,
        application=application,
        budget_item=budget_item,
        integration=integration,
        integration_file=integration.files.get(),
    )
