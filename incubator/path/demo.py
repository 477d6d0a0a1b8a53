"""Demo data, step 40 ("path and milestones"): the INNESCO milestone templates of the
demo programme and every enrolment's plan, through the real services. Each path gets a
realistic history: the early milestones mostly achieved (some with evidence, some
verified by the tutor or the coordinator), a few left overdue, one waived, one path that
was suspended for three weeks (its later milestones moved), and the crowdfunding step for
two ventures on that track. The persona ``participant`` always has a bit of everything:
achieved and verified, achieved awaiting verification, one overdue, the rest to come."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from incubator import access
from incubator.demo_context import DemoContext
from incubator.models import Role, TeamMember
from incubator.path import services as services_path
from incubator.path.models import Enrolment, MilestoneState

# (title, offset in months, description, evidence required, crowdfunding only)
INNESCO_TEMPLATES = [
    (
        "Idea canvas",
        1,
        "L'idea descritta su una pagina: bisogno sociale, beneficiari, proposta di valore, risorse.",
        "Canvas compilato",
        False,
    ),
    (
        "Business plan",
        4,
        "Piano d'impresa con piano economico-finanziario a tre anni, scritto con il tutor.",
        "Business plan (PDF)",
        False,
    ),
    (
        "Soggetto giuridico costituito",
        6,
        "Costituzione di associazione, cooperativa sociale, impresa sociale o società.",
        "Atto costitutivo e statuto",
        False,
    ),
    ("Domanda di contributo", 8, "Presentazione della domanda di contributo a fondo perduto.", "", False),
    (
        "Campagna di crowdfunding civico",
        10,
        "Campagna pubblicata su una piattaforma di crowdfunding civico.",
        "Pagina della campagna",
        True,
    ),
    (
        "Primi beneficiari o primi ricavi",
        12,
        "Il servizio raggiunge i primi beneficiari o genera i primi ricavi.",
        "Registro beneficiari o fatture",
        False,
    ),
    ("Revisione di metà percorso", 18, "Incontro di verifica con tutor e coordinamento.", "", False),
    (
        "Rendicontazione finale del contributo",
        33,
        "Rendiconto finale delle spese ammesse e relazione sulle attività.",
        "Rendiconto finale",
        False,
    ),
    ("Uscita dal percorso", 36, "Chiusura dell'accompagnamento e rilevazione degli esiti.", "", False),
]

_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _evidence(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


def _team_user(enrolment: Enrolment):
    """The team member who logs in (the idea holder first), if they hold the role."""
    member = (
        TeamMember.objects.filter(venture_id=enrolment.application.venture_id, person__user__isnull=False)
        .select_related("person__user")
        .order_by("role", "pk")
        .first()
    )
    programme_id = enrolment.application.call.programme_id
    if member and access.has_role(member.person.user, programme_id, Role.PARTICIPANT):
        return member.person.user
    return None


def _verifier(ctx: DemoContext, enrolment: Enrolment):
    """The persona tutor when the mentoring step assigned them to this path."""
    tutor = ctx.users.get("tutor")
    if tutor is not None and access.visible(tutor, Enrolment).filter(pk=enrolment.pk).exists():
        return tutor
    return ctx.users["coordinator"]


def _achieve(ctx, enrolment, milestone, actor, *, verify: bool, with_file: bool) -> None:
    early = ctx.rng.randint(0, 20)
    on = max(enrolment.starts_on, min(milestone.due_on - dt.timedelta(days=early), ctx.today))
    services_path.milestone_change_state(actor=actor, milestone=milestone, state=MilestoneState.ACHIEVED, on=on)
    if milestone.evidence_required or with_file:
        if with_file:
            services_path.milestone_attach_evidence(
                actor=actor, milestone=milestone, file=_evidence(f"{milestone.title.lower()}.pdf")
            )
        else:
            services_path.milestone_attach_evidence(
                actor=actor, milestone=milestone, url=f"https://documenti.example.org/percorso/{milestone.pk}"
            )
    if verify:
        services_path.milestone_verify(actor=_verifier(ctx, enrolment), milestone=milestone)


def seed_path(ctx: DemoContext) -> None:
    coordinator = ctx.users["coordinator"]
    programme = ctx.programme
    if programme is None:
        return
    for title, offset, description, evidence, crowdfunding in INNESCO_TEMPLATES:
        services_path.milestone_template_create(
            actor=coordinator,
            programme=programme,
            title=title,
            offset_months=offset,
            description=description,
            evidence_required=evidence,
            crowdfunding_only=crowdfunding,
        )
    enrolments = list(ctx.enrolments)
    persona = ctx.users.get("participant")
    persona_enrolment = next(
        (e for e in enrolments if persona is not None and _team_user(e) == persona),
        enrolments[0] if enrolments else None,
    )
    others = [e for e in enrolments if e != persona_enrolment]
    crowdfunding = set(ctx.rng.sample(others, min(2, len(others))))
    for enrolment in enrolments:
        services_path.milestone_plan_generate(
            actor=coordinator, enrolment=enrolment, crowdfunding=enrolment in crowdfunding
        )

    # One path paused for three weeks in its second month: its later milestones moved.
    if others:
        paused = others[-1]
        start = paused.starts_on + dt.timedelta(days=40)
        if start + dt.timedelta(days=21) < ctx.today:
            services_path.enrolment_suspend(
                actor=coordinator, enrolment=paused, reason="Motivi di salute della referente", on=start
            )
            services_path.enrolment_resume(actor=coordinator, enrolment=paused, on=start + dt.timedelta(days=21))

    # The grant step waived for a venture on the crowdfunding track.
    for enrolment in sorted(crowdfunding, key=lambda e: e.pk)[:1]:
        services_path.milestone_change_state(
            actor=coordinator,
            milestone=enrolment.milestones.get(title="Domanda di contributo"),
            state=MilestoneState.WAIVED,
            reason="Il progetto prosegue con il crowdfunding civico invece del contributo.",
        )

    for enrolment in enrolments:
        actor = _team_user(enrolment) or coordinator
        due = list(
            enrolment.milestones.filter(due_on__lte=ctx.today, state=MilestoneState.PLANNED).order_by("due_on", "order")
        )
        if enrolment == persona_enrolment:
            # Achieved and verified, achieved awaiting verification; the rest stays open
            # (overdue), for the persona to upload evidence.
            for milestone, verify in zip(due, (True, False), strict=False):
                _achieve(ctx, enrolment, milestone, actor, verify=verify, with_file=True)
            continue
        for milestone in due:
            roll = ctx.rng.random()
            if roll < 0.7:
                _achieve(ctx, enrolment, milestone, actor, verify=roll < 0.45, with_file=roll < 0.2)
            elif roll < 0.8:
                services_path.milestone_change_state(actor=actor, milestone=milestone, state=MilestoneState.IN_PROGRESS)
            # else: left planned, and overdue


DEMO_STEPS = [(40, seed_path)]
