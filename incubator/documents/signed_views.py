"""The signed grant act page: the beneficiary (the grant's venture team) downloads the act,
signs it with their digital signature and uploads it back here; the page shows what the
verification recorded (signer, issuer, signing time, whether it is exactly the act
issued). The programme's coordinators see the same page. Anyone else: 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from incubator import access
from incubator.documents import selectors, services
from incubator.documents.models import SignedAct
from incubator.exceptions import NotPermitted
from incubator.funding.models import Grant
from incubator.models import Role


class SignedActForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Signed act"),
        help_text=gettext_lazy(
            "The grant act signed with your digital signature: the PDF signed inside (PAdES) or the .p7m file (CAdES)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.p7m,application/pdf,application/pkcs7-mime"}),
    )


def _grant(request: HttpRequest, pk: int) -> Grant:
    qs = access.visible(request.user, Grant).select_related("venture", "application__call__programme")
    grant = access.get_visible(request.user, qs, pk=pk)
    if grant.decided_on is None:
        raise Http404()
    return grant


@login_required
@require_http_methods(["GET", "POST"])
def signed_act(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    form = SignedActForm()
    if request.method == "POST":
        form = SignedActForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                act = services.signed_act_upload(
                    actor=request.user, grant=grant, file_name=upload.name, content=upload.read()
                )
            except ValidationError as refusal:
                for field, texts in refusal.message_dict.items():
                    form.add_error("file" if field == "file" else None, texts)
            except NotPermitted as refusal:
                form.add_error(None, str(refusal.message))
            else:
                messages.success(
                    request, _("Signature verified: act signed by %(signer)s.") % {"signer": act.signer_name}
                )
                return redirect("documents:signed-act", pk=grant.pk)
    acts = selectors.signed_acts(request.user, grant)
    return render(
        request,
        "documents/signed_act.html",
        {
            "grant": grant,
            "acts": acts,
            "form": form,
            "is_coordinator": access.has_role(request.user, grant.venture.programme_id, Role.COORDINATOR),
        },
    )


@login_required
@require_GET
def signed_act_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed file as uploaded (the visible signed acts only)."""
    act = access.get_visible(request.user, SignedAct, pk=pk)
    is_pdf = act.signature_format == "pades"
    response = HttpResponse(bytes(act.content), content_type="application/pdf" if is_pdf else "application/pkcs7-mime")
    response["Content-Disposition"] = f'attachment; filename="{act.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
