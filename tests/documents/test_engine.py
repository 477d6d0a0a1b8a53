import base64
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incubator.documents import engine, services
from incubator.documents.kinds import DEFAULTS, PLACEHOLDERS, DocumentKind
from incubator.documents.models import DocumentTemplate, GeneratedDocument
from incubator.exceptions import NotPermitted
from incubator.models import AuditEvent
from tests.documents.helpers import pdf_text


def test_every_default_uses_only_its_placeholders_in_both_languages():
    for kind in DocumentKind.values:
        for language in ("it", "en"):
            engine.check(kind, DEFAULTS[(kind, language)])
            used = set(engine._USE.findall(DEFAULTS[(kind, language)]))
            assert {u.strip() for u in used} <= set(PLACEHOLDERS[kind])


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Ciao {{ nome_sconosciuto }}", "nome_sconosciuto"),
        ("{{ call_title }} {{ user.password }}", "user.password"),
        ("{{ call_title|upper }}", "call_title|upper"),
    ],
)
def test_unknown_placeholder_is_refused_naming_it(world, body, named):
    with pytest.raises(ValidationError) as refusal:
        services.template_save(
            actor=world.coordinator, programme=world.programme, kind=DocumentKind.RECEIPT, language="it", body=body
        )
    assert named in refusal.value.message_dict["body"][0]
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize("body", ["{% load static %}x", "<script>alert(1)</script>", "<p style='background:url(x)'>"])
def test_code_and_remote_resources_are_refused(world, body):
    with pytest.raises(ValidationError):
        services.template_save(
            actor=world.coordinator, programme=world.programme, kind=DocumentKind.RECEIPT, language="it", body=body
        )


def test_rendering_fetches_no_address_only_data_uris(tmp_path, monkeypatch):
    """A template may hold an <img src> or a <link>: the renderer reads data: URIs only,
    so neither a local file nor a remote address is fetched (no server-side request)."""
    from PIL import Image
    from pypdf import PdfReader
    from weasyprint.urls import URLFetcher

    picture = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), "red").save(picture)
    opened = []
    real_open = URLFetcher.open
    monkeypatch.setattr(URLFetcher, "open", lambda self, url, *a, **k: opened.append(url) or real_open(self, url))

    def images(html: str) -> int:
        reader = PdfReader(io.BytesIO(engine.to_pdf(engine.page("t", html, "it"))))
        resources = reader.pages[0].get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")

    data_uri = "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode()
    assert images(f'<img src="{data_uri}">') == 1
    assert images(f'<img src="file://{picture}"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">') == 0
    assert not [url for url in opened if not str(url).startswith("data:")]


def test_values_are_escaped_not_interpreted():
    html = engine.fill(DocumentKind.RECEIPT, "<p>{{ venture_title }}</p>", {"venture_title": "<b>{{ x }}</b>"})
    assert html == "<p>&lt;b&gt;{{ x }}&lt;/b&gt;</p>"


def test_each_save_adds_a_version_and_is_audited(world):
    for n in (1, 2):
        template = services.template_save(
            actor=world.coordinator, programme=world.programme, kind=DocumentKind.RECEIPT, language="en",
            body=f"<h1>Receipt v{n}</h1>{{{{ protocol_number }}}}",
        )  # fmt: skip
        assert template.version == n
    assert DocumentTemplate.objects.filter(programme=world.programme).count() == 2
    assert AuditEvent.objects.filter(verb="document_template.saved").count() == 2


def test_only_the_programmes_coordinator_edits_templates(world, other):
    for user in (other.coordinator, world.participant, world.evaluator, world.tutor):
        with pytest.raises(NotPermitted):
            services.template_save(
                actor=user, programme=world.programme, kind=DocumentKind.RECEIPT, language="it", body="x"
            )


def _submitted(world):
    application = world.application
    application.protocol_number = 7
    application.submitted_at = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 15, 30))
    application.content_sha256 = "ab" * 32
    application.state = "submitted"
    application.save()
    return application


def test_same_data_and_version_give_the_same_bytes(world):
    from incubator.documents import builders

    application = _submitted(world)
    values = builders.receipt(application)
    first, _ = services.render(programme_id=world.programme.pk, kind=DocumentKind.RECEIPT, language="it", values=values)
    again, _ = services.render(programme_id=world.programme.pk, kind=DocumentKind.RECEIPT, language="it", values=values)
    assert first == again
    assert b"CreationDate" not in first
    changed, _ = services.render(
        programme_id=world.programme.pk, kind=DocumentKind.RECEIPT, language="it",
        values={**values, "protocol_number": 8},
    )  # fmt: skip
    assert changed != first


def test_issued_document_records_hash_and_template_version(world):
    from incubator.documents import builders

    application = _submitted(world)
    kwargs = {
        "actor": world.participant, "programme_id": world.programme.pk, "kind": DocumentKind.RECEIPT,
        "subject": f"application:{application.pk}", "language": "it", "values": builders.receipt(application),
    }  # fmt: skip
    default = services.document_issue(**kwargs)
    assert default.template_version == 0
    assert default.sha256 == engine.sha256(bytes(default.content))
    assert services.document_issue(**kwargs).pk == default.pk  # same data, same version: the same document
    services.template_save(
        actor=world.coordinator, programme=world.programme, kind=DocumentKind.RECEIPT, language="it",
        body="<h1>Ricevuta personalizzata</h1><p>Protocollo {{ protocol_number }}</p>",
    )  # fmt: skip
    custom = services.document_issue(**kwargs)
    assert custom.pk != default.pk and custom.template_version == 1
    text = pdf_text(bytes(custom.content))
    assert "Ricevuta personalizzata" in text and "Protocollo 7" in text
    assert GeneratedDocument.objects.count() == 2
