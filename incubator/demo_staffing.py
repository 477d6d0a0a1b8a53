"""Demo data, step 70 ("staffing"): the programme takes on a new tutor the way an office's
IT does through the API (``people``, ``people/{id}/login/``, ``role-assignments``):
the coordinator records the person, gives her a login without a password (she sets it
through the password reset e-mail) and grants her the tutor role."""

import datetime as dt

from incubator import services
from incubator.demo_context import DemoContext
from incubator.models import Person, Role
from incubator.taxcode import make_tax_code

USERNAME = "demo-tutor-nuova"


def seed_staffing(ctx: DemoContext) -> None:
    if ctx.programme is None or Person.objects.filter(user__username=USERNAME).exists():
        return
    coordinator = ctx.users["coordinator"]
    person = services.person_create(
        actor=coordinator,
        programme=ctx.programme,
        first_name="Giulia",
        last_name="Esposito",
        tax_code=make_tax_code("Esposito", "Giulia", dt.date(1988, 5, 17), "F", "F839"),
        email="giulia.esposito.tutor@example.org",
    )
    user = services.person_create_login(actor=coordinator, person=person, username=USERNAME)
    services.role_grant(actor=coordinator, user=user, programme=ctx.programme, role=Role.TUTOR)


DEMO_STEPS = [(70, seed_staffing)]
