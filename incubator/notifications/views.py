"""The inbox, its read marks, the preferences page and the one-click unsubscribe link.

Each person reaches only their own notifications (``incubator.access``: someone else's id
answers 404). Writes go through ``services``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from incubator import access
from incubator.notifications import services
from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import Notification

PAGE_SIZE = 25


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    rows = access.visible(request.user, Notification).filter(recipient=request.user).order_by("-created_at", "-id")
    page = Paginator(rows.only("pk", "kind", "subject", "body", "link", "created_at", "read_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access.get_visible(request.user, Notification.objects.filter(recipient=request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return HttpResponseRedirect(notification.link)
    return HttpResponseRedirect(reverse("notifications:inbox"))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return HttpResponseRedirect(reverse("notifications:inbox"))


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of notifications and e-mails"))
    emails_off = forms.BooleanField(
        label=gettext_lazy("No e-mails at all (the inbox keeps everything)"), required=False
    )

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        for kind in Kind:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label, choices=Channel.choices, widget=forms.RadioSelect
            )

    def kind_fields(self):
        return [self[f"kind_{kind.value}"] for kind in Kind]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.recipient_settings(request.user)
    initial = {"language": current.language, "emails_off": current.emails_off}
    initial.update({f"kind_{kind}": channel for kind, channel in services.channels_of(request.user).items()})
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(
            actor=request.user,
            channels={kind.value: form.cleaned_data[f"kind_{kind.value}"] for kind in Kind},
            language=form.cleaned_data["language"],
            emails_off=form.cleaned_data["emails_off"],
        )
        messages.success(request, _("Your preferences are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    return render(request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200)


@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click" with no session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST, from the
    confirmation button or a mail client's one-click, unsubscribes. The signed token is
    the authority: it names the person and the kind."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user, kind = found
    label = _("all e-mails") if kind == services.ALL_KINDS else Kind(kind).label
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token})
