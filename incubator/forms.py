"""Forms of the back office: model forms shaped for people (choices as checkboxes, lists
as lines) and the intermediate pages of the admin actions. They only collect input;
the services decide."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from incubator.models import (
    ApplicantKind,
    Call,
    Enrolment,
    LegalForm,
    Programme,
    Theme,
    User,
    Venture,
)
from incubator.services import Decision

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def with_refusal(form_class: type[forms.BaseForm], refusal: ValidationError) -> type[forms.BaseForm]:
    """The same form, reporting a service's refusal as its errors (on the field the
    service named when the form has it, else at the top with the field's name)."""

    class RefusedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            found = refusal.message_dict if hasattr(refusal, "error_dict") else {NON_FIELD_ERRORS: refusal.messages}
            for field, texts in found.items():
                if field in self.fields:
                    self.add_error(field, texts)
                elif field in (NON_FIELD_ERRORS, "non_field_errors"):
                    self.add_error(None, texts)
                else:
                    self.add_error(None, [f"{field}: {text}" for text in texts])

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _choices_field(choices, label, required=False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=required, widget=forms.CheckboxSelectMultiple
    )


class ProgrammeForm(forms.ModelForm):
    target_areas = LinesField(label=_("Target areas"), required=False, help_text=_("One per line."))

    class Meta:
        model = Programme
        fields = (
            "name",
            "code",
            "action",
            "fund",
            "cup",
            "budget",
            "starts_on",
            "ends_on",
            "target_areas",
            "managing_body",
            "last_payment_on",
        )


class CallForm(forms.ModelForm):
    themes = _choices_field(Theme.choices, _("Themes"))
    eligible_applicant_kinds = _choices_field(ApplicantKind.choices, _("Eligible applicant kinds"), required=False)

    class Meta:
        model = Call
        fields = (
            "programme",
            "title",
            "reference",
            "opens_at",
            "closes_at",
            "eligible_applicant_kinds",
            "themes",
            "places",
            "pass_threshold",
            "grant_min",
            "grant_max",
            "max_months",
            "grant_attendance_threshold",
        )


class VentureForm(forms.ModelForm):
    themes = _choices_field(Theme.choices, _("Themes"))
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices, initial=LegalForm.INFORMAL_GROUP)
    legal_form_since = forms.DateField(
        label=_("Legal form since"), required=False, widget=_DATE, help_text=_("Today when empty.")
    )

    class Meta:
        model = Venture
        fields = ("programme", "title", "summary", "social_need", "themes", "target_area", "applicant_kind")


class VentureChangeForm(forms.ModelForm):
    """The venture's own fields after creation (``venture_update``)."""

    themes = _choices_field(Theme.choices, _("Themes"))

    class Meta:
        model = Venture
        fields = ("title", "summary", "social_need", "themes", "target_area", "applicant_kind")


class EnrolmentForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Enrolment
        fields = ("ends_on",)
        widgets = {"ends_on": _DATE}


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


# --- intermediate pages of the admin actions ----------------------------------------------


class ActionForm(forms.Form):
    """Fields shown on an action's intermediate page, in titled sections."""

    def sections(self):
        return [(None, list(self))]


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonDateForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("With effect from"), required=False, widget=_DATE, help_text=_("Today when empty."))

    def __init__(self, *args, reason_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class DateForm(ActionForm):
    on = forms.DateField(label=_("With effect from"), required=False, widget=_DATE, help_text=_("Today when empty."))


class StartDateForm(ActionForm):
    starts_on = forms.DateField(
        label=_("Accompaniment starts on"), required=False, widget=_DATE, help_text=_("Today when empty.")
    )


class EligibilityForm(ActionForm):
    """The call's checklist answered for each selected application (yes/no and a note)."""

    YES, NO = "yes", "no"

    def __init__(self, *args, applications, eligible: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for application in self.applications:
            for item in application.call.checklist.all():
                self.fields[self._answer(application, item)] = forms.ChoiceField(
                    label=item.question,
                    choices=((self.YES, _("Yes")), (self.NO, _("No"))),
                    widget=forms.RadioSelect,
                )
                self.fields[self._note(application, item)] = forms.CharField(
                    label=_("Note"), required=False, max_length=500
                )
        self.fields["reason"] = forms.CharField(
            label=_("Reason for ineligibility") if not eligible else _("Note"),
            required=not eligible,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    @staticmethod
    def _answer(application, item) -> str:
        return f"answer_{application.pk}_{item.pk}"

    @staticmethod
    def _note(application, item) -> str:
        return f"note_{application.pk}_{item.pk}"

    def sections(self):
        found = []
        for application in self.applications:
            fields = []
            for item in application.call.checklist.all():
                fields += [self[self._answer(application, item)], self[self._note(application, item)]]
            found.append((str(application), fields))
        return [*found, (None, [self["reason"]])]

    def answers(self, application) -> list[dict]:
        return [
            {
                "item": item.pk,
                "answer": self.cleaned_data[self._answer(application, item)] == self.YES,
                "note": self.cleaned_data[self._note(application, item)],
            }
            for item in application.call.checklist.all()
        ]


class EvaluatorsForm(ActionForm):
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = evaluators


class DecisionForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=((Decision.ADMIT, _("Admit")), (Decision.WAITLIST, _("Waitlist")), (Decision.REJECT, _("Reject"))),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject."),
    )
    crowdfunding_referral = forms.BooleanField(
        label=_("Refer to crowdfunding tutoring"), required=False, help_text=_("Not for admitted ventures.")
    )
    starts_on = forms.DateField(
        label=_("Accompaniment starts on"),
        required=False,
        widget=_DATE,
        help_text=_("When admitting; today when empty."),
    )
