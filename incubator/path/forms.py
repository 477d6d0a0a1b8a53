"""Action forms of the path's back-office pages: enrolment dates and start."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.forms import _DATE, ActionForm
from incubator.path.models import Enrolment


class EnrolmentForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Enrolment
        fields = ("ends_on",)
        widgets = {"ends_on": _DATE}


class StartDateForm(ActionForm):
    starts_on = forms.DateField(
        label=_("Accompaniment starts on"), required=False, widget=_DATE, help_text=_("Today when empty.")
    )
