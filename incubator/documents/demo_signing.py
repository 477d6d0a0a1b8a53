"""Demo data, step 97 ("signed act"): the beneficiary of the demo grant signs its grant act
with a certificate of a demo certification authority made here, and uploads it; the real
service verifies it (``services.signed_act_upload``). The demo CA is trusted for this call
only (``trust_roots``): it is never written to ``SIGNATURE_TRUST_ROOTS``, so the same file
uploaded through the pages of a real deployment is refused as untrusted."""

from incubator.demo_context import DemoContext
from incubator.documents import services, signing_ca
from incubator.documents.kinds import DocumentKind
from incubator.documents.models import GeneratedDocument
from incubator.funding.models import Grant
from incubator.models import Person


def seed_signed_act(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    issued = GeneratedDocument.objects.filter(programme=ctx.programme, kind=DocumentKind.GRANT_ACT).order_by("pk")
    document = issued.first()
    if document is None:
        return
    grant = Grant.objects.select_related("venture").get(pk=int(document.subject.split(":")[1]))
    signer = (
        Person.objects.filter(memberships__venture=grant.venture, user__isnull=False).select_related("user").first()
    )
    if signer is None:
        return
    authority = signing_ca.authority("CA dimostrativa INNESCO (solo demo)")
    identity = signing_ca.signer(authority, f"{signer.first_name} {signer.last_name}")
    services.signed_act_upload(
        actor=signer.user, grant=grant, file_name=f"atto-concessione-{grant.pk}-firmato.pdf",
        content=signing_ca.sign_pdf(identity, bytes(document.content)), trust_roots=[authority.asn1],
    )  # fmt: skip


DEMO_STEPS = [(97, seed_signed_act)]
