"""Demo step 95: every persona's inbox has something in it. Each persona gets the welcome
notice (inbox only), then the scheduler makes the reminders due today from the demo's
sessions, milestones, action items and evaluations. The events of the earlier steps (a
session scheduled, notes shared, a grant awarded...) are told when ``seed_demo`` commits, as
in real use; their e-mails, and the reminders', print on the console of ``scripts/run.sh``."""

from django.urls import reverse

from incubator.demo_context import DemoContext
from incubator.notifications import reminders, services
from incubator.notifications.kinds import Kind


def seed_notifications(ctx: DemoContext) -> None:
    people = [user.pk for user in ctx.users.values()]
    welcome = services.Event(Kind.WELCOME, "welcome:demo", people, {}, reverse("notifications:preferences"))
    services.deliver([welcome])
    ctx.extra["notifications"] = reminders.run_scheduler(send=False)


DEMO_STEPS = [(95, seed_notifications)]
