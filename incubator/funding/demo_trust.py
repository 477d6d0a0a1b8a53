"""Demo of issue 20's rules on what counts (after the funding step): a venture whose
incorporation as an association is recorded ahead, effective in a month - the back
office, the API and the cohort report keep showing it as an informal group until then."""

import datetime as dt

from incubator import services as core_services
from incubator.demo_context import DemoContext
from incubator.models import LegalForm, LegalFormChange, Venture


def seed_scheduled_incorporation(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    effective_on = ctx.today + dt.timedelta(days=30)
    in_force = LegalFormChange.objects.in_force(ctx.today)
    for venture in Venture.objects.filter(programme=ctx.programme, grants__isnull=True).order_by("pk"):
        latest = in_force.filter(venture=venture).order_by("-effective_on").first()
        scheduled = venture.legal_forms.filter(effective_on__gt=ctx.today).exists()
        if latest is None or latest.legal_form != LegalForm.INFORMAL_GROUP or scheduled:
            continue
        core_services.venture_change_legal_form(
            actor=ctx.users["coordinator"],
            venture=venture,
            legal_form=LegalForm.ASSOCIATION,
            effective_on=effective_on,
            note="Atto costitutivo firmato; l'associazione nasce alla data di efficacia.",
        )
        return


DEMO_STEPS = [(55, seed_scheduled_incorporation)]
