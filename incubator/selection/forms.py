"""Action forms of the selection's back-office pages: calls, eligibility, evaluators, decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.forms import _DATE, ActionForm, _choices_field
from incubator.models import ApplicantKind, Theme, User
from incubator.selection.models import Call
from incubator.selection.services import Decision


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
            "evaluation_deadline",
            "blind_review",
            "disagreement_threshold",
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
