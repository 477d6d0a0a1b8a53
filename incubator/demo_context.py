"""What the demo steps share. ``seed_demo`` collects ``DEMO_STEPS`` from every installed
app's ``demo`` module, sorts them by their order number and runs them in one transaction,
each step reading what earlier steps left in the context and adding its own.

Orders in use: 10 selection (incubator), 20 cohorts and attendance (cohorts),
30 mentoring (mentoring), 40 path and milestones, 50 funding, 60 outcomes and reports."""

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from incubator.models import Programme, User

if TYPE_CHECKING:  # what the selection and path steps leave for the later ones
    from incubator.path.models import Enrolment
    from incubator.selection.models import Call

# Persona usernames; each logs in with DEMO_PASSWORD in the dev profile only.
PERSONAS = (
    "admin",
    "coordinator",
    "evaluator",
    "evaluator2",
    "evaluator3",
    "tutor",
    "tutor2",
    "trainer",
    "participant",
    "participant2",
)
DEMO_PASSWORD = "demo"


@dataclass
class DemoContext:
    rng: random.Random
    today: dt.date
    users: dict[str, User] = field(default_factory=dict)
    programme: Programme | None = None
    call: "Call | None" = None
    enrolments: "list[Enrolment]" = field(default_factory=list)
    scale: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
