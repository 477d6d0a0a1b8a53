"""Forms of the tutor pages and of the back office. They collect input only; the
services decide (and their refusals come back onto these forms)."""

import datetime as dt

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator.models import Person
from incubator.path.models import Enrolment, Milestone
from mentoring.models import Activity, Assignment, AssignmentRole, SessionMode, TutoringSession, TutorProfile

QUICK_MINUTES = (30, 45, 60, 90, 120)


def person_label(person: Person) -> str:
    return f"{person.first_name} {person.last_name}"


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class MilestoneChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.due_on:%d/%m/%Y})"


def report_refusal(form: forms.BaseForm, refusal: ValidationError) -> None:
    """A service's refusal on the form: on the field it names when the form has it."""
    found = refusal.message_dict if hasattr(refusal, "error_dict") else {NON_FIELD_ERRORS: refusal.messages}
    for field, texts in found.items():
        if field in form.fields:
            form.add_error(field, texts)
        else:
            form.add_error(None, texts)


class SessionForm(forms.Form):
    """One session of one assignment, laid out for a phone: date and time pickers, a
    minutes field with the usual durations offered, the mode as big radio buttons."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5, "list": "quick-minutes"}),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices, widget=forms.RadioSelect)
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices)
    topics = forms.CharField(label=_("Topics"), max_length=300, required=False)
    shared_notes = forms.CharField(
        label=_("Shared notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The venture's team sees these notes."),
    )
    private_notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you and the programme's coordinators see these notes."),
    )
    participants_present = PersonChoice(
        label=_("Participants present"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    milestones = MilestoneChoice(
        label=_("Linked milestones"),
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        venture_id = assignment.enrolment.application.venture_id
        self.fields["participants_present"].queryset = Person.objects.filter(memberships__venture_id=venture_id)
        self.fields["milestones"].queryset = Milestone.objects.filter(enrolment_id=assignment.enrolment_id)

    @classmethod
    def initial_for(cls, now: dt.datetime | None = None) -> dict:
        """Now (to the five minutes), 60 minutes, in person, accompaniment."""
        local = timezone.localtime(now)
        local = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
        return {
            "day": local.date(),
            "time": local.time(),
            "minutes": 60,
            "mode": SessionMode.IN_PERSON,
            "activity": Activity.TUTORING,
        }

    @classmethod
    def initial_from(cls, session: TutoringSession, private_notes: str) -> dict:
        local = timezone.localtime(session.starts_at)
        return {
            "day": local.date(),
            "time": local.time(),
            "minutes": session.minutes,
            "mode": session.mode,
            "activity": session.activity,
            "topics": session.topics,
            "shared_notes": session.shared_notes,
            "private_notes": private_notes,
            "participants_present": list(session.participants_present.all()),
            "milestones": list(session.milestones.all()),
        }

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": timezone.make_aware(dt.datetime.combine(data["day"], data["time"])),
            "minutes": data["minutes"],
            "mode": data["mode"],
            "activity": data["activity"],
            "topics": data["topics"],
            "shared_notes": data["shared_notes"],
            "private_notes": data["private_notes"],
            "participants_present": [p.pk for p in data["participants_present"]],
            "milestones": [m.pk for m in data["milestones"]],
        }

    def add_refusal(self, refusal: ValidationError) -> None:
        # The service speaks of starts_at; this form asks for a day and a time.
        if hasattr(refusal, "error_dict") and "starts_at" in refusal.error_dict:
            self.add_error("day", refusal.error_dict.pop("starts_at"))
        report_refusal(self, refusal)


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action item"), max_length=300, required=False)
    owner = OwnerChoice(label=_("Owner"), queryset=Person.objects.none(), required=False, empty_label=_("The tutor"))
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        venture_id = assignment.enrolment.application.venture_id
        self.fields["owner"].queryset = Person.objects.filter(memberships__venture_id=venture_id)


ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=2, max_num=10)


def action_items_from(formset) -> list[dict]:
    return [
        {"text": f.cleaned_data["text"], "owner": f.cleaned_data.get("owner"), "due_on": f.cleaned_data.get("due_on")}
        for f in formset.forms
        if f.cleaned_data.get("text")
    ]


# --- back office -------------------------------------------------------------------------


class AssignFromSuggestionForm(forms.Form):
    """The coordinator's choice among the suggestions (the admin's "assign" page)."""

    tutor = forms.ModelChoiceField(label=_("Tutor"), queryset=TutorProfile.objects.none(), widget=forms.RadioSelect)
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices)
    starts_on = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hours_budget = forms.DecimalField(label=_("Hours budget"), min_value=0, max_digits=7, decimal_places=2)

    def __init__(self, *args, tutors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = tutors


class EnrolmentChoiceForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Enrolment"), queryset=Enrolment.objects.none())

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments
