"""The signed grant act page and API: the beneficiary uploads, the coordinator sees the
result; refusals are form errors / HTTP 400 on ``file``; others answer 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incubator import access
from incubator.documents import signing_ca
from incubator.documents.models import GeneratedDocument, SignedAct
from tests.api.helpers import client_as, results
from tests.documents.signing import appended_update


def _page(grant):
    return reverse("documents:signed-act", args=[grant.pk])


def _api(grant):
    return f"/api/v1/grants/{grant.pk}/signed-acts/"


def _post_page(client, user, grant, content, name="atto-firmato.pdf"):
    client.force_login(user)
    return client.post(_page(grant), {"file": SimpleUploadedFile(name, content)})


def test_the_beneficiary_uploads_the_signed_act_and_sees_the_result(client, world, signing):
    # Reachable by clicks: the participant's path links to the page.
    client.force_login(world.participant)
    path = client.get(reverse("cohorts:my-path"))
    assert _page(signing.grant) in path.content.decode()
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    response = _post_page(client, world.participant, signing.grant, signed)
    assert response.status_code == 302 and response["Location"] == _page(signing.grant)
    page = client.get(_page(signing.grant)).content.decode()
    assert "Maria Rossi" in page and "Test Qualified CA" in page
    assert "Esattamente l&#x27;atto emesso" in page or "Esattamente l'atto emesso" in page
    act = SignedAct.objects.get()
    download = client.get(reverse("documents:signed-act-file", args=[act.pk]))
    assert download.status_code == 200 and download.content == signed


def test_the_coordinator_sees_the_verified_act_from_the_grants_list(client, world, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    _post_page(client, world.participant, signing.grant, signed)
    client.force_login(world.coordinator)
    grants = client.get(reverse("cohorts:coordinator-grants"), {"programme": world.programme.pk})
    assert _page(signing.grant) in grants.content.decode()
    page = client.get(_page(signing.grant)).content.decode()
    assert "Maria Rossi" in page


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda s: s.act, "nessuna firma digitale"),
        (lambda s: appended_update(signing_ca.sign_pdf(s.signer, s.act)), "modificato dopo la firma"),
        (lambda s: signing_ca.sign_pdf(s.stranger, s.act), "Rogue CA"),
    ],
)
def test_a_refused_signature_is_a_form_error_on_the_file(client, world, signing, make, reason):
    response = _post_page(client, world.participant, signing.grant, make(signing))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["file"]
    assert reason in " ".join(form.errors["file"])
    assert reason in response.content.decode()
    assert not SignedAct.objects.exists()


def test_a_missing_file_is_a_form_error(client, world, signing):
    client.force_login(world.participant)
    response = client.post(_page(signing.grant), {})
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_others_get_404(client, world, other, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    _post_page(client, world.participant, signing.grant, signed)
    act = SignedAct.objects.get()
    for user in (other.coordinator, other.participant, world.evaluator, world.tutor):
        client.force_login(user)
        assert client.get(_page(signing.grant)).status_code == 404
        assert client.post(_page(signing.grant), {"file": SimpleUploadedFile("a.pdf", signed)}).status_code == 404
        assert client.get(reverse("documents:signed-act-file", args=[act.pk])).status_code == 404
    assert SignedAct.objects.count() == 1
    client.logout()
    assert client.get(_page(signing.grant)).status_code == 302


# --- API ------------------------------------------------------------------------------------


def test_api_upload_and_list(world, signing):
    envelope = signing_ca.sign_p7m(signing.signer, signing.act)
    api = client_as(world.participant)
    response = api.post(_api(signing.grant), {"file": SimpleUploadedFile("atto.pdf.p7m", envelope)}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signer_name"] == "Maria Rossi" and body["signature_format"] == "cades" and body["same_bytes"] is True
    assert "Test Qualified CA" in body["issuer"] and body["signed_at"]
    found = results(client_as(world.coordinator).get(_api(signing.grant)))
    assert [row["id"] for row in found] == [body["id"]]


def test_api_refusals_are_400_on_file(world, signing):
    api = client_as(world.participant)
    unsigned = api.post(_api(signing.grant), {"file": SimpleUploadedFile("a.pdf", signing.act)}, format="multipart")
    assert unsigned.status_code == 400 and "file" in unsigned.json()
    untrusted = signing_ca.sign_pdf(signing.stranger, signing.act)
    response = api.post(_api(signing.grant), {"file": SimpleUploadedFile("a.pdf", untrusted)}, format="multipart")
    assert response.status_code == 400 and "Rogue CA" in response.json()["file"][0]
    missing = api.post(_api(signing.grant), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    assert not SignedAct.objects.exists()


def test_api_others_get_404(world, other, signing):
    signed = signing_ca.sign_pdf(signing.signer, signing.act)
    for user in (other.coordinator, other.participant, world.evaluator, world.tutor):
        api = client_as(user)
        assert api.get(_api(signing.grant)).status_code == 404
        upload = {"file": SimpleUploadedFile("a.pdf", signed)}
        assert api.post(_api(signing.grant), upload, format="multipart").status_code == 404
    assert not SignedAct.objects.exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_api_list_query_count(world, signing, rows, django_assert_num_queries):
    document = GeneratedDocument.objects.get()
    SignedAct.objects.bulk_create(
        SignedAct(
            programme=world.programme, grant=signing.grant, document=document, signature_format="pades",
            file_name=f"{n}.pdf", content=b"x", sha256=f"{n:064d}", signer_name="Maria Rossi", issuer="Test CA",
            same_bytes=True,
        )
        for n in range(rows)
    )  # fmt: skip
    access.forget(world.participant)
    api = client_as(world.participant)
    # roles, the grant (404 check), count, the page of signed acts with grant and document
    with django_assert_num_queries(4):
        response = api.get(_api(signing.grant), {"page_size": 100})
    assert len(results(response)) == rows
