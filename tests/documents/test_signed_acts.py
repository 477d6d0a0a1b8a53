"""Signed grant acts (incubator.documents.signatures / services.signed_act_upload): valid
PAdES and CAdES accepted with signer, issuer and time; changed after signing, broken,
untrusted, another document and unsigned refused on ``file`` with nothing stored."""

import pytest
from django.core.exceptions import ValidationError

from incubator.audit import AuditEvent
from incubator.documents import services, signing_ca
from incubator.documents.models import SignatureFormat, SignedAct
from tests.documents.helpers import pdf_text
from tests.documents.signing import appended_update, flipped, issue_act


def upload(world, signing, content, name="atto.pdf", actor=None):
    return services.signed_act_upload(
        actor=actor or world.participant, grant=signing.grant, file_name=name, content=content
    )


def refused(world, signing, content, code, name="atto.pdf"):
    with pytest.raises(ValidationError) as caught:
        upload(world, signing, content, name)
    assert caught.value.code == code
    assert list(caught.value.message_dict) == ["file"]
    assert not SignedAct.objects.exists()
    return caught.value.message_dict["file"][0]


def test_a_pades_signed_act_is_verified_and_recorded(world, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    act = upload(world, signing, signed)
    assert act.signature_format == SignatureFormat.PADES
    assert act.signer_name == "Maria Rossi"
    assert "Test Qualified CA" in act.issuer
    assert act.signed_at is not None
    assert act.same_bytes is True
    assert act.document.subject == f"grant:{signing.grant.pk}"
    assert bytes(act.content) == signed
    assert act.programme_id == world.programme.pk
    event = AuditEvent.objects.get(verb="signed_act.verified")
    assert event.after["signer"] == "Maria Rossi" and event.after["same_bytes"] is True
    # The signed file still reads as the act: the grant's figures are in it.
    assert "B61H26000010006" in pdf_text(signed)


def test_uploading_the_same_file_again_keeps_one_row(world, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    first = upload(world, signing, signed)
    assert upload(world, signing, signed, actor=world.coordinator) == first
    assert SignedAct.objects.count() == 1 and AuditEvent.objects.filter(verb="signed_act.verified").count() == 1


def test_a_cades_p7m_is_verified(world, signing):
    envelope = signing_ca.sign_p7m(signing.signer, signing.act)
    act = upload(world, signing, envelope, name="atto.pdf.p7m")
    assert act.signature_format == SignatureFormat.CADES
    assert act.signer_name == "Maria Rossi" and act.signed_at is not None and act.same_bytes


def test_a_base64_p7m_is_read_too(world, signing):
    import base64

    envelope = base64.encodebytes(signing_ca.sign_p7m(signing.signer, signing.act))
    assert upload(world, signing, envelope, name="atto.pdf.p7m").signature_format == SignatureFormat.CADES


def test_a_file_rewritten_by_the_signing_software_matches_by_text(world, signing):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(signing.act)))
    out = io.BytesIO()
    writer.write(out)
    rewritten = out.getvalue()
    assert not rewritten.startswith(signing.act)
    act = upload(world, signing, signing_ca.sign_pdf(signing.signer, rewritten))
    assert act.same_bytes is False


def test_changed_after_signing_is_refused(world, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    message = refused(world, signing, appended_update(signed), "signature_modified")
    assert "modificato dopo la firma" in message


def test_bytes_altered_inside_the_signed_range_break_the_signature(world, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    refused(world, signing, flipped(signed, b"/Producer"), "signature_broken")


def test_a_p7m_whose_content_was_altered_is_refused(world, signing):
    envelope = signing_ca.sign_p7m(signing.signer, signing.act)
    refused(world, signing, flipped(envelope, b"%PDF-"), "signature_broken", name="atto.pdf.p7m")


def test_an_untrusted_certificate_is_refused_naming_the_issuer(world, signing):
    signed = signing_ca.sign_pdf(signing.stranger, signing.act)
    message = refused(world, signing, signed, "signature_untrusted")
    assert "Rogue CA" in message
    envelope = signing_ca.sign_p7m(signing.stranger, signing.act)
    refused(world, signing, envelope, "signature_untrusted", name="atto.p7m")


def test_no_trust_anchor_configured_trusts_nobody(world, signing, settings, tmp_path):
    settings.SIGNATURE_TRUST_ROOTS = str(tmp_path / "missing")
    refused(world, signing, signing_ca.sign_pdf(signing.signer, signing.act), "signature_untrusted")


def test_a_different_document_signed_is_refused(world, signing, other):
    from tests.funding import helpers as funding

    funding.admitted(other)
    other_grant = funding.awarded(other, amount="50000.00")
    other_act = issue_act(other, other_grant)
    message = refused(world, signing, signing_ca.sign_pdf(signing.signer, other_act), "signature_other_document")
    assert "non è l'atto di concessione emesso" in message
    refused(world, signing, signing_ca.sign_p7m(signing.signer, other_act), "signature_other_document")


def test_an_unsigned_act_is_refused(world, signing):
    message = refused(world, signing, signing.act, "signature_missing")
    assert "nessuna firma digitale" in message


def test_a_file_that_is_neither_pdf_nor_p7m_is_refused(world, signing):
    refused(world, signing, b"GIF89a not a signed act", "signed_act_type", name="atto.gif")
    refused(world, signing, b"%PDF-1.7\n garbage, no objects", "signed_act_type")
    refused(world, signing, b"\x30\x82\x01\x00 truncated DER", "signed_act_type", name="atto.p7m")
    refused(world, signing, signing.act[: len(signing.act) // 2], "signed_act_type")
    refused(world, signing, b"", "signed_act_empty")


def test_too_large_is_refused(world, signing, settings):
    settings.SIGNED_ACT_MAX_BYTES = 1000
    refused(world, signing, signing_ca.sign_pdf(signing.signer, signing.act), "signed_act_too_large")


def test_no_act_issued_yet(world, signing):
    from incubator.documents.models import GeneratedDocument

    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    GeneratedDocument.objects.all().delete()
    refused(world, signing, signed, "signed_act_not_issued")


def test_someone_outside_the_grant_may_not_upload(world, signing, other):
    from incubator.exceptions import NotPermitted

    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    for actor in (world.tutor, world.evaluator, other.participant, other.coordinator):
        with pytest.raises(NotPermitted):
            upload(world, signing, signed, actor=actor)
    assert not SignedAct.objects.exists()


def test_signing_and_verifying_work_inside_a_running_event_loop():
    """pyHanko's synchronous calls run ``asyncio.run``: inside a thread that already runs an
    event loop (Playwright's sync API in the same test process, an ASGI server) they are
    moved to a worker thread instead of failing."""
    import asyncio

    from incubator.documents import signatures, signing_ca

    ca = signing_ca.authority("Loop CA")
    identity = signing_ca.signer(ca, "Anna Rossi")
    pdf = _loop_pdf()

    async def inside_a_loop():
        signed = signing_ca.sign_pdf(identity, pdf)
        return signatures.verify(signed, [pdf], trust_roots=[ca.asn1])

    verified = asyncio.run(inside_a_loop())
    assert verified.signer_name == "Anna Rossi" and verified.same_bytes


def _loop_pdf() -> bytes:
    from incubator.documents import engine

    return engine.to_pdf(engine.page("Atto", "<p>Atto di concessione</p>", "it"))
