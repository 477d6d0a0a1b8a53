"""Forms of the applicant portal's and the office's pages: they check the shape of the
input; the rules are the services'. Every field has a label (Italian by default)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.models import ApplicantKind
from incubator.selection.models import ApplicationState, BudgetCategory, Call


def bootstrap(form: forms.Form) -> None:
    """Bootstrap 5 classes on the widgets (the templates render fields one by one)."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ServiceErrorsMixin:
    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, lines in errors.items():
            for line in lines:
                self.add_error(field if field in self.fields else None, line)


class PersonFieldsMixin(Styled):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    tax_code = forms.CharField(label=_("Tax code (codice fiscale)"), max_length=16, required=False)

    def _person_fields(self, has_person: bool) -> None:
        if has_person:
            for name in ("first_name", "last_name", "tax_code"):
                del self.fields[name]
        else:
            for name in ("first_name", "last_name", "tax_code"):
                self.fields[name].required = True


class StartForm(ServiceErrorsMixin, PersonFieldsMixin):
    title = forms.CharField(label=_("Title of your idea"), max_length=200)
    applicant_kind = forms.ChoiceField(label=_("Who is applying"), choices=ApplicantKind.choices)

    def __init__(self, *args, call: Call, has_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if call.eligible_applicant_kinds:
            self.fields["applicant_kind"].choices = [
                (value, label) for value, label in ApplicantKind.choices if value in call.eligible_applicant_kinds
            ]
        self._person_fields(has_person)
        self.order_fields(["title", "applicant_kind"])


class InvitationAcceptForm(ServiceErrorsMixin, PersonFieldsMixin):
    def __init__(self, *args, has_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self._person_fields(has_person)


class BudgetItemForm(Styled):
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    description = forms.CharField(label=_("Cost item"), max_length=300)
    amount = forms.DecimalField(label=_("Amount (EUR)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class InviteForm(Styled):
    email = forms.EmailField(label=_("Co-applicant's e-mail"))


class WithdrawForm(Styled):
    reason = forms.CharField(label=_("Reason for the withdrawal"), max_length=500)


class IntegrationAnswerForm(Styled):
    answer_text = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )


class IntegrationRequestForm(Styled):
    items = forms.CharField(label=_("Items to complete or clarify"), widget=forms.Textarea(attrs={"rows": 4}))
    days = forms.IntegerField(label=_("Days to answer"), min_value=1, max_value=60, initial=10)

    def deadline(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.now() + dt.timedelta(days=self.cleaned_data["days"])


class StateFilterForm(Styled):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All"))] + [c for c in ApplicationState.choices if c[0] != "draft"],
        required=False,
    )


# Service fields that are not inputs of the applicants' forms, named in their errors.
APPLICANT_FIELD_LABELS = {
    "organisation": _("Applying organisation"),
    "partners": _("Partners"),
    "budget_share": _("Budget share (%)"),
}


class ApplicantErrorsMixin:
    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """On the field when the form has it, else at the top naming the field."""
        for field, lines in errors.items():
            for line in lines:
                if field in self.fields:
                    self.add_error(field, line)
                elif field in APPLICANT_FIELD_LABELS:
                    self.add_error(None, f"{APPLICANT_FIELD_LABELS[field]}: {line}")
                else:
                    self.add_error(None, line)


class OrganisationChoiceForm(ApplicantErrorsMixin, Styled):
    """The applying organisation, among those the user acts for in the call's programme."""

    organisation = forms.ModelChoiceField(
        label=_("Applying organisation"),
        queryset=None,
        required=False,
        empty_label=_("Nobody: the team's people apply"),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class PartnersForm(ApplicantErrorsMixin, Styled):
    """A partnership's rows (the lead, the applying organisation, among them): each an
    organisation the user acts for, its budget share and activities. Empty rows are skipped."""

    def __init__(self, *args, organisations, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(rows):
            self.fields[f"organisation_{i}"] = forms.ModelChoiceField(
                label=_("Partner %(n)s") % {"n": i + 1}, queryset=organisations, required=False
            )
            self.fields[f"budget_share_{i}"] = forms.DecimalField(
                label=_("Budget share (%%) of partner %(n)s") % {"n": i + 1},
                max_digits=5,
                decimal_places=2,
                min_value=0,
                max_value=100,
                required=False,
            )
            self.fields[f"activity_{i}"] = forms.CharField(
                label=_("Activities of partner %(n)s") % {"n": i + 1}, max_length=300, required=False
            )
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        for i in range(self.rows):
            if cleaned.get(f"organisation_{i}") and cleaned.get(f"budget_share_{i}") is None:
                self.add_error(f"budget_share_{i}", _("Give the partner's budget share."))
            elif cleaned.get(f"budget_share_{i}") is not None and not cleaned.get(f"organisation_{i}"):
                self.add_error(f"organisation_{i}", _("Choose the partner organisation."))
        return cleaned

    def partners(self) -> list[dict]:
        return [
            {
                "organisation": self.cleaned_data[f"organisation_{i}"],
                "budget_share": self.cleaned_data[f"budget_share_{i}"],
                "activity": self.cleaned_data.get(f"activity_{i}") or "",
            }
            for i in range(self.rows)
            if self.cleaned_data.get(f"organisation_{i}")
        ]

    def rows_of_fields(self):
        return [(self[f"organisation_{i}"], self[f"budget_share_{i}"], self[f"activity_{i}"]) for i in range(self.rows)]
