"""The sign-up form: allauth's, plus the acceptance of the privacy notice."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incubator.accounts import services
from incubator.auth import client_address


class SignupForm(AllauthSignupForm):
    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and I accept it"),
        required=True,
        error_messages={"required": _("To sign up, accept the privacy notice.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Last, just above the button: what the person accepts by signing up.
        self.fields["accept_privacy"] = self.fields.pop("accept_privacy")
        self.fields["accept_privacy"].help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("privacy"),
            _("Read the privacy notice (version %(version)s)") % {"version": settings.PRIVACY_NOTICE_VERSION},
        )

    def custom_signup(self, request, user) -> None:
        super().custom_signup(request, user)
        services.privacy_notice_accept(
            actor=user, version=settings.PRIVACY_NOTICE_VERSION, client_address=client_address(request)
        )
