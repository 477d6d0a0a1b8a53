"""Forms of the back office: model forms shaped for people (choices as checkboxes, lists
as lines) and the intermediate pages of the admin actions. They only collect input;
the services decide."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from incubator.models import LegalForm, Programme, Theme, User, Venture
from incubator.uploads import LOGO_UPLOADS, accepted_extensions, image_data_uri, shown_name

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


class LogoInput(forms.ClearableFileInput):
    """The stored logo shown as a picture (embedded: uploads have no public URL) with the
    box to remove it. ``accept`` only narrows the browser's file picker: the type is
    checked on the bytes by the field's validator."""

    template_name = "incubator/widgets/logo_input.html"

    def __init__(self, attrs=None):
        super().__init__({"accept": ",".join(accepted_extensions(LOGO_UPLOADS.kinds)), **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["preview"] = image_data_uri(value) if self.is_initial(value) else ""
        context["widget"]["shown_name"] = shown_name(value.name) if self.is_initial(value) else ""
        return context


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
            "logo",
        )
        widgets = {"logo": LogoInput}


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


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


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
