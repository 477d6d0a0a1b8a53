"""The negotiation pages' forms: shape only (the services hold the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.selection.models import BudgetCategory

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(label=_("Held at"), widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    participants = forms.CharField(label=_("Participants"), widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}))


class RevisionRequestForm(forms.Form):
    notes = forms.CharField(label=_("What to revise"), widget=forms.Textarea(attrs={"rows": 4}))


class AgreementForm(forms.Form):
    amount = forms.DecimalField(label=_("Agreed amount (EUR)"), max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Terms agreed"), widget=forms.Textarea(attrs={"rows": 3}))


class GrantForm(forms.Form):
    undertaking = forms.CharField(
        label=_("Single undertaking (tax code / VAT)"),
        max_length=16,
        required=False,
        help_text=_("Empty: the applying organisation's."),
    )


BUDGET_ROWS = 6


class RevisionForm(forms.Form):
    """One field per question of the call's form (the latest answers filled in) and a
    budget of a few lines (the latest lines filled in, blank lines left out)."""

    note = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, questions=(), latest=None, **kwargs):
        latest = latest or {}
        answers, budget = latest.get("answers", {}), latest.get("budget", [])
        initial = {f"q{q.pk}": answers.get(str(q.pk)) or "" for q in questions}
        for i, row in enumerate(budget[:BUDGET_ROWS]):
            initial |= {
                f"b{i}_category": row["category"],
                f"b{i}_description": row["description"],
                f"b{i}_amount": row["amount"],
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.pk}"] = forms.CharField(
                label=q.label_it, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        choices = [("", "—"), *BudgetCategory.choices]
        for i in range(BUDGET_ROWS):
            self.fields[f"b{i}_category"] = forms.ChoiceField(
                label=_("Category (line %(n)s)") % {"n": i + 1}, choices=choices, required=False
            )
            self.fields[f"b{i}_description"] = forms.CharField(
                label=_("Description (line %(n)s)") % {"n": i + 1}, required=False, max_length=200
            )
            self.fields[f"b{i}_amount"] = forms.CharField(
                label=_("Amount in EUR (line %(n)s)") % {"n": i + 1}, required=False
            )

    def answers(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name.startswith("q")}

    def budget(self) -> list[dict[str, str]]:
        rows = []
        for i in range(BUDGET_ROWS):
            category = self.cleaned_data.get(f"b{i}_category")
            if category:
                rows.append(
                    {
                        "category": category,
                        "description": self.cleaned_data.get(f"b{i}_description", ""),
                        "amount": self.cleaned_data.get(f"b{i}_amount", ""),
                    }
                )
        return rows

    def budget_rows(self):
        return [(self[f"b{i}_category"], self[f"b{i}_description"], self[f"b{i}_amount"]) for i in range(BUDGET_ROWS)]
