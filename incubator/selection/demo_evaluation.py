"""Demo data, step 12 ("evaluation"): a second INNESCO call, evaluated blind, closed a
week ago and now under evaluation. The office wrote each criterion's guidance and score
bands; the evaluators were assigned in bulk (two per application, balanced); two of them
disagree sharply on one idea (flagged above the call's threshold), and the persona
``evaluator`` still has a draft and applications to score before the deadline. Each idea
answered the call's form (its lead has a ``demo-`` login): the contact person's name is an
identifying question, and the activity plan's file carries the lead's surname, so blind
review shows in the reading page and in ``/api/v1/evaluations/{id}/reading/``."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator import services as core_services
from incubator.demo_context import DemoContext
from incubator.models import ApplicantKind, TeamMember, Theme
from incubator.selection import applying, office, reviews, services
from incubator.selection.demo import _People
from incubator.selection.demo_portal import PDF, _user
from incubator.selection.models import Evaluation, FormSection, Question, QuestionKind

IDEAS = [
    ("Ciclofficina sociale di quartiere", Theme.CIRCULAR_ECONOMY),
    ("Portierato di comunità per anziani soli", Theme.SOCIAL_VULNERABILITY),
    ("Mercato del baratto scolastico", Theme.NEW_POVERTY),
    ("Laboratorio di restauro con giovani NEET", Theme.HERITAGE),
    ("Orti condivisi sui terrazzi popolari", Theme.SOCIAL_COHESION),
    ("Sportello digitale per donne migranti", Theme.SOCIAL_VULNERABILITY),
]

RUBRIC = {
    0: "Quanto l'idea risponde a un bisogno reale delle Municipalità 1, 4 e 6, con risultati misurabili.",
    1: "Competenze ed esperienze del team rispetto alle attività previste.",
    2: "Entrate previste, costi, altre fonti di finanziamento oltre il contributo.",
    3: "Cronoprogramma, risorse e autorizzazioni necessarie.",
    4: "Soggetti del territorio coinvolti e ruolo di ciascuno.",
}
BANDS = [
    (Decimal("0"), Decimal("3.99"), "Insufficiente: elementi assenti o generici"),
    (Decimal("4"), Decimal("6.99"), "Sufficiente: elementi presenti ma poco dettagliati"),
    (Decimal("7"), Decimal("10"), "Buono: elementi completi, concreti e verificabili"),
]


def seed_blind_call(ctx: DemoContext) -> None:
    coordinator = ctx.users["coordinator"]
    base = ctx.call
    now = timezone.now()
    criteria = [
        {"name": c.name, "weight": c.weight, "max_score": c.max_score} for c in base.criteria.order_by("order", "id")
    ]
    call = services.call_create(
        actor=coordinator,
        programme=ctx.programme,
        title="Avviso INNESCO – seconda finestra (valutazione anonima)",
        reference=f"INNESCO/{timezone.localdate().year}/02",
        opens_at=now - dt.timedelta(days=45),
        closes_at=now - dt.timedelta(days=7),
        evaluation_deadline=now + dt.timedelta(days=10),
        blind_review=True,
        disagreement_threshold=Decimal("20"),
        eligible_applicant_kinds=[ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION, ApplicantKind.THIRD_SECTOR],
        themes=[theme for _title, theme in IDEAS],
        places=3,
        pass_threshold=Decimal("60"),
        criteria=criteria,
    )
    for index, criterion in enumerate(call.criteria.order_by("order", "id")):
        reviews.criterion_set_rubric(
            actor=coordinator,
            criterion=criterion,
            guidance=RUBRIC.get(index, ""),
            bands=[{"low": low, "high": high, "description": text} for low, high, text in BANDS],
        )
    questions = _form(coordinator, call)
    people = _People(ctx, ctx.programme, coordinator)
    for index, (title, theme) in enumerate(IDEAS):
        lead = people.create(user=_user(f"demo-blind-{index + 1}", "", ""))
        team = [(lead, TeamMember.TeamRole.LEAD), (people.create(), TeamMember.TeamRole.MEMBER)]
        venture = core_services.venture_create(
            actor=coordinator,
            programme=ctx.programme,
            team=team,
            title=title,
            summary=f"{title}: un servizio di prossimità costruito con i residenti.",
            social_need="Isolamento e povertà educativa nei quartieri popolari.",
            themes=[theme],
            target_area="Municipalità 4",
            applicant_kind=ApplicantKind.ASSOCIATION,
        )
        application = services.application_create(actor=coordinator, venture=venture, call=call)
        _answer(lead, application, questions, title)
        services.application_submit(
            actor=coordinator, application=application, at=call.opens_at + dt.timedelta(days=2 + index, hours=3)
        )
        services.application_check(actor=coordinator, application=application, answers=[], eligible=True)
    reviews.call_assign_evaluators(actor=coordinator, call=call, per_application=2)
    _score(ctx, call)


FORM = (
    ("idea", QuestionKind.LONG_TEXT, "Descrivi l'idea", "Describe the idea", {}),
    ("contact", QuestionKind.SHORT_TEXT, "Nome e cognome del referente", "Contact person", {"identifying": True}),
    ("plan", QuestionKind.FILE, "Piano delle attività (PDF)", "Activity plan (PDF)", {"file_types": ["pdf"]}),
)


def _form(coordinator, call) -> dict[str, Question]:
    section = office.section_save(
        actor=coordinator, section=FormSection(call=call, title_it="La proposta", title_en="The proposal", order=0)
    )
    questions = {}
    for order, (key, kind, label_it, label_en, extra) in enumerate(FORM):
        questions[key] = office.question_save(
            actor=coordinator,
            question=Question(section=section, kind=kind, label_it=label_it, label_en=label_en, order=order, **extra),
        )
    return questions


def _answer(lead, application, questions: dict[str, Question], title: str) -> None:
    """The lead answers the form (the file named after them, as applicants do) and the budget."""
    applying.answers_save(
        actor=lead.user,
        application=application,
        values={
            f"q{questions['idea'].pk}": f"{title}: attività aperte ai residenti, con volontari formati dal progetto.",
            f"q{questions['contact'].pk}": f"{lead.first_name} {lead.last_name}",
        },
    )
    applying.answer_file_upload(
        actor=lead.user,
        application=application,
        question=questions["plan"],
        file=SimpleUploadedFile(f"Piano_{lead.last_name}.pdf", PDF),
    )
    # A call with a form asks for the budget too (its total within the grant range).
    for category, description, amount in (("equipment", "Attrezzature", 18000), ("personnel", "Animatori", 22000)):
        applying.budget_item_add(
            actor=lead.user, application=application, category=category, description=description, amount=Decimal(amount)
        )


def _score(ctx: DemoContext, call) -> None:
    """Everyone but the persona ``evaluator`` has submitted; one idea splits evaluator2
    (generous) and evaluator3 (severe); ``evaluator`` keeps one draft and the rest to do."""
    criteria = list(call.criteria.order_by("order", "id"))
    persona = ctx.users["evaluator"]
    split = None
    drafted = False
    evaluations = Evaluation.objects.filter(application__call=call).select_related("evaluator").order_by("pk")
    by_application: dict[int, list[Evaluation]] = {}
    for evaluation in evaluations:
        by_application.setdefault(evaluation.application_id, []).append(evaluation)
    for pair in by_application.values():
        if split is None and persona not in [e.evaluator for e in pair]:
            split = pair[0].application_id
    for evaluation in evaluations:
        user = evaluation.evaluator
        if user == persona:
            if not drafted:
                services.evaluation_save_draft(
                    actor=user,
                    evaluation=evaluation,
                    scores={criteria[0].pk: Decimal("7"), criteria[1].pk: Decimal("6.5")},
                    comment="Da completare dopo la lettura del piano economico.",
                )
                drafted = True
            continue
        if evaluation.application_id == split:
            # The first of the pair is generous, the second severe: a spread of 50 points.
            value = Decimal("9") if evaluation.pk == by_application[split][0].pk else Decimal("4")
        else:
            value = Decimal("6.5") + Decimal(ctx.rng.randint(0, 4)) / 2
        services.evaluation_submit_scores(
            actor=user,
            evaluation=evaluation,
            scores={c.pk: value for c in criteria},
            comment="Proposta chiara; valutazione secondo la griglia.",
        )


DEMO_STEPS = [(12, seed_blind_call)]
