"""Demo data, step 65 (after "outcomes and reports"): consent and refusal records of the
demo participants (ESF+ monitoring given at entry; the special categories, photos and
the six-month follow-up given or refused as ``ctx.rng`` draws; one consent to news
withdrawn), and a participant's erasure request refused because the programme's
retention period has not ended. Through ``incubator.privacy.services``."""

import datetime as dt

from django.utils import timezone

from incubator.demo_context import DemoContext
from incubator.models import Person, TeamMember
from incubator.privacy import services

DRAWN = (("special_categories", 0.8), ("images", 0.6), ("follow_up", 0.85))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed_consents(ctx: DemoContext) -> None:
    if ctx.programme is None or not ctx.enrolments:
        return
    coordinator = ctx.users["coordinator"]
    withdrawn = False
    for enrolment in ctx.enrolments:
        members = TeamMember.objects.filter(
            venture_id=enrolment.application.venture_id, person__anonymised_at__isnull=True
        ).select_related("person")
        # The day before today at the latest: a decision is never in the future.
        entry = min(enrolment.starts_on, ctx.today - dt.timedelta(days=1))
        for member in members.order_by("pk"):
            person = member.person
            if person.consents.exists():
                continue
            services.consent_record(
                actor=coordinator,
                person=person,
                purpose="esf_monitoring",
                given=True,
                decided_at=_at(entry, 10),
                note="Modulo informativa privacy firmato all'ingresso",
            )
            for purpose, chance in DRAWN:
                services.consent_record(
                    actor=coordinator,
                    person=person,
                    purpose=purpose,
                    given=ctx.rng.random() < chance,
                    decided_at=_at(entry, 11),
                )
            if not withdrawn and person.user_id is not None:
                news = services.consent_record(
                    actor=coordinator, person=person, purpose="communications", given=True, decided_at=_at(entry, 12)
                )
                later = min(news.decided_at + dt.timedelta(days=60), timezone.now())
                services.consent_withdraw(actor=person.user, consent=news, at=later)
                withdrawn = True
    participant = ctx.users.get("participant")
    person = Person.objects.filter(user=participant).first() if participant else None
    if person is not None and not person.erasure_requests.exists():
        services.person_erasure_request(actor=participant, person=person, today=ctx.today)


DEMO_STEPS = [(65, seed_consents)]
