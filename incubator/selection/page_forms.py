"""Forms of the evaluators' and coordinators' selection pages. They check the shape of
the input only; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.models import User

SAVE_DRAFT = "draft"
SUBMIT = "submit"


class ScoreForm(forms.Form):
    """One number per criterion (0..max, steps of 0.01), a comment per criterion and an
    overall comment. ``submit`` needs every score; a draft may leave some empty."""

    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )

    def __init__(self, *args, criteria, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.submitting = submitting
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=_("Score for “%(name)s” (0 to %(max)s)") % {"name": criterion.name, "max": criterion.max_score},
                required=False,
                min_value=Decimal(0),
                max_value=criterion.max_score,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "max": str(criterion.max_score), "class": "form-control"}
                ),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(name)s”") % {"name": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )

    def clean(self):
        data = super().clean()
        if self.submitting:
            for criterion in self.criteria:
                name = f"score_{criterion.pk}"
                if name not in self.errors and data.get(name) is None:
                    self.add_error(name, _("Score this criterion before submitting."))
        return data

    def rows(self):
        """(criterion, score field, comment field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, Decimal | None]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def criterion_comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class ConflictForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the conflict of interest"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class AssignForm(forms.Form):
    per_application = forms.IntegerField(
        label=_("Evaluators per application"),
        min_value=1,
        max_value=10,
        initial=2,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class ReassignForm(forms.Form):
    evaluator = forms.ModelChoiceField(
        label=_("New evaluator"), queryset=User.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators


class ModerationForm(forms.Form):
    agreed_score = forms.DecimalField(
        label=_("Agreed score"),
        min_value=Decimal(0),
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "class": "form-control"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))


BAND_ROWS = 5


class RubricForm(forms.Form):
    """The criterion's guidance and up to five score bands (empty rows are ignored)."""

    guidance = forms.CharField(
        label=_("Guidance for evaluators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(BAND_ROWS):
            number = {"n": row + 1}
            self.fields[f"low_{row}"] = forms.DecimalField(
                label=_("Band %(n)s: from") % number,
                required=False,
                min_value=Decimal(0),
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control"}),
            )
            self.fields[f"high_{row}"] = forms.DecimalField(
                label=_("Band %(n)s: to") % number,
                required=False,
                min_value=Decimal(0),
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control"}),
            )
            self.fields[f"description_{row}"] = forms.CharField(
                label=_("Band %(n)s: meaning") % number,
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def clean(self):
        data = super().clean()
        for row in range(BAND_ROWS):
            values = [data.get(f"low_{row}"), data.get(f"high_{row}"), data.get(f"description_{row}")]
            filled = [v not in (None, "") for v in values]
            if any(filled) and not all(filled):
                for name, given in zip(("low", "high", "description"), filled, strict=True):
                    if not given:
                        self.add_error(f"{name}_{row}", _("Complete the band or leave it all empty."))
        return data

    def band_rows(self):
        return [(self[f"low_{r}"], self[f"high_{r}"], self[f"description_{r}"]) for r in range(BAND_ROWS)]

    def bands(self) -> list[dict]:
        return [
            {
                "low": self.cleaned_data[f"low_{r}"],
                "high": self.cleaned_data[f"high_{r}"],
                "description": self.cleaned_data[f"description_{r}"],
            }
            for r in range(BAND_ROWS)
            if self.cleaned_data.get(f"description_{r}")
        ]

    @staticmethod
    def initial_for(criterion) -> dict:
        initial = {"guidance": criterion.guidance}
        for row, band in enumerate(list(criterion.bands.all())[:BAND_ROWS]):
            initial.update({f"low_{row}": band.low, f"high_{row}": band.high, f"description_{row}": band.description})
        return initial
