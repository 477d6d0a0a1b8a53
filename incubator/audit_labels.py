"""Audit verbs ("application.admitted") in words people read, in their language: the
back office's history shows "Domanda: ammessa", not the code. A verb is "<entity>.<action>";
an action that is a state takes the label of the state's choices when a back office has
registered them (``incubator.admin.CHOICE_LABELS``), else the labels below; an unknown part
is shown as written."""

from django.db import models
from django.utils.translation import pgettext_lazy

ENTITIES = {
    "action_item": pgettext_lazy("audit", "Action item"),
    "application": pgettext_lazy("audit", "Application"),
    "assignment": pgettext_lazy("audit", "Tutor assignment"),
    "attendance": pgettext_lazy("audit", "Attendance"),
    "calendar": pgettext_lazy("audit", "Calendar link"),
    "call": pgettext_lazy("audit", "Call"),
    "campaign": pgettext_lazy("audit", "Crowdfunding campaign"),
    "cohort": pgettext_lazy("audit", "Cohort"),
    "consent": pgettext_lazy("audit", "Consent"),
    "de_minimis": pgettext_lazy("audit", "De minimis aid"),
    "enrolment": pgettext_lazy("audit", "Path"),
    "entry_data": pgettext_lazy("audit", "Entry data (ESF+)"),
    "evaluation": pgettext_lazy("audit", "Evaluation"),
    "expense": pgettext_lazy("audit", "Expense"),
    "expense_report": pgettext_lazy("audit", "Expense report"),
    "grant": pgettext_lazy("audit", "Grant"),
    "import": pgettext_lazy("audit", "Import"),
    "matching_rule": pgettext_lazy("audit", "Matching rule"),
    "milestone": pgettext_lazy("audit", "Milestone"),
    "milestone_template": pgettext_lazy("audit", "Milestone template"),
    "module": pgettext_lazy("audit", "Training module"),
    "person": pgettext_lazy("audit", "Person"),
    "programme": pgettext_lazy("audit", "Programme"),
    "report_export": pgettext_lazy("audit", "Report export"),
    "result": pgettext_lazy("audit", "Result (ESF+)"),
    "role": pgettext_lazy("audit", "Role"),
    "session": pgettext_lazy("audit", "Training session"),
    "team": pgettext_lazy("audit", "Team"),
    "training_unit_cost": pgettext_lazy("audit", "Training unit cost"),
    "tranche": pgettext_lazy("audit", "Tranche"),
    "tutor_conflict": pgettext_lazy("audit", "Tutor conflict of interest"),
    "tutor_profile": pgettext_lazy("audit", "Tutor profile"),
    "tutoring_session": pgettext_lazy("audit", "Tutoring session"),
    "unit_cost_band": pgettext_lazy("audit", "Unit-cost band"),
    "venture": pgettext_lazy("audit", "Venture"),
    "venture_needs": pgettext_lazy("audit", "Tutoring needs"),
    "venture_outcome": pgettext_lazy("audit", "Venture outcome"),
}

ACTIONS = {
    "add": pgettext_lazy("audit", "added"),
    "add_enrolment": pgettext_lazy("audit", "venture added"),
    "anonymise": pgettext_lazy("audit", "anonymised"),
    "assign": pgettext_lazy("audit", "assigned"),
    "budget": pgettext_lazy("audit", "budget set"),
    "cancel": pgettext_lazy("audit", "cancelled"),
    "create": pgettext_lazy("audit", "created"),
    "crowdfunding_referral": pgettext_lazy("audit", "referred to crowdfunding"),
    "dates": pgettext_lazy("audit", "dates changed"),
    "declare": pgettext_lazy("audit", "declared"),
    "delete": pgettext_lazy("audit", "deleted"),
    "done": pgettext_lazy("audit", "done"),
    "download": pgettext_lazy("audit", "downloaded"),
    "erasure_refused": pgettext_lazy("audit", "erasure refused"),
    "evidence": pgettext_lazy("audit", "evidence added"),
    "finish": pgettext_lazy("audit", "finished"),
    "grant": pgettext_lazy("audit", "granted"),
    "issue": pgettext_lazy("audit", "issued"),
    "legal_form": pgettext_lazy("audit", "legal form changed"),
    "log": pgettext_lazy("audit", "logged"),
    "mark": pgettext_lazy("audit", "marked"),
    "pay": pgettext_lazy("audit", "paid"),
    "plan": pgettext_lazy("audit", "plan generated"),
    "progress": pgettext_lazy("audit", "progress recorded"),
    "propose": pgettext_lazy("audit", "proposed"),
    "ranking": pgettext_lazy("audit", "ranking computed"),
    "record": pgettext_lazy("audit", "recorded"),
    "recuse": pgettext_lazy("audit", "recusal"),
    "register": pgettext_lazy("audit", "registered"),
    "remove_enrolment": pgettext_lazy("audit", "venture removed"),
    "request": pgettext_lazy("audit", "requested"),
    "reschedule": pgettext_lazy("audit", "rescheduled"),
    "resume": pgettext_lazy("audit", "resumed"),
    "reviewed": pgettext_lazy("audit", "reviewed"),
    "revoke": pgettext_lazy("audit", "revoked"),
    "rotate": pgettext_lazy("audit", "renewed"),
    "set": pgettext_lazy("audit", "set"),
    "start": pgettext_lazy("audit", "started"),
    "submit": pgettext_lazy("audit", "submitted"),
    "suspension": pgettext_lazy("audit", "suspended"),
    "update": pgettext_lazy("audit", "updated"),
    "verify": pgettext_lazy("audit", "verified"),
    "withdraw": pgettext_lazy("audit", "withdrawn"),
    # States reached (application, milestone, grant, campaign, expense).
    "eligible": pgettext_lazy("audit", "eligible"),
    "ineligible": pgettext_lazy("audit", "ineligible"),
    "evaluated": pgettext_lazy("audit", "evaluated"),
    "admitted": pgettext_lazy("audit", "admitted"),
    "waitlisted": pgettext_lazy("audit", "waitlisted"),
    "rejected": pgettext_lazy("audit", "rejected"),
    "withdrawn": pgettext_lazy("audit", "withdrawn"),
    "achieved": pgettext_lazy("audit", "achieved"),
    "missed": pgettext_lazy("audit", "missed"),
    "waived": pgettext_lazy("audit", "waived"),
    "in_progress": pgettext_lazy("audit", "in progress"),
    "awarded": pgettext_lazy("audit", "awarded"),
    "revoked": pgettext_lazy("audit", "revoked"),
    "closed": pgettext_lazy("audit", "closed"),
    "accepted": pgettext_lazy("audit", "accepted"),
    "refused": pgettext_lazy("audit", "refused"),
    "completed": pgettext_lazy("audit", "completed"),
}


def verb_label(verb: str, states: dict[str, type[models.TextChoices]] | None = None) -> str:
    entity, _, action = verb.partition(".")
    if action in ACTIONS:
        action_label = str(ACTIONS[action])
    else:
        choices = next((c for c in (states or {}).values() if action in c.values), None)
        action_label = str(choices(action).label).lower() if choices else action.replace("_", " ")
    entity_label = str(ENTITIES.get(entity, entity.replace("_", " ")))
    return f"{entity_label}: {action_label}" if action else entity_label
