"""The programme's logo on the documents' header: embedded as a data: URI by the product
(``programme_logo``, trusted HTML), absent when there is none, deterministic."""

import base64
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cohorts import documents as cohort_documents
from incubator.documents import builders, engine, services
from incubator.documents.kinds import COMMON, DEFAULTS, PLACEHOLDERS, RAW, DocumentKind
from incubator.documents.programme import logo_html, programme_values
from incubator.selection.models import Application
from tests.cohorts.helpers import build_cohort
from tests.documents.helpers import images, pdf_text
from tests.documents.logos import give_logo, image_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded logos go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _submitted(world):
    application = Application.objects.select_related("call__programme", "venture").get(pk=world.application.pk)
    application.protocol_number = 7
    application.submitted_at = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 15, 30))
    application.content_sha256 = "ab" * 32
    application.state = "submitted"
    application.save()
    return application


def _render(world, values, kind=DocumentKind.RECEIPT, language="it") -> bytes:
    content, _template = services.render(programme_id=world.programme.pk, kind=kind, language=language, values=values)
    return content


def test_every_kind_documents_the_logo_and_shows_it_in_its_default_header():
    for kind in DocumentKind.values:
        assert "programme_logo" in PLACEHOLDERS[kind]
        for language in ("it", "en"):
            assert DEFAULTS[(kind, language)].startswith("<header>{{ programme_logo }}")


def test_raw_placeholders_are_an_explicit_list_of_documented_ones():
    documented = {name for names in PLACEHOLDERS.values() for name in names}
    assert documented >= RAW
    assert "programme_logo" in RAW and "programme_logo" in COMMON
    assert {name for name in documented if name.endswith("_table")} <= RAW
    # Everything else is text, escaped: the programme's name included.
    assert not ({"programme_name", "venture_title", "reason", "verification_url"} & RAW)


def test_only_documented_raw_placeholders_are_left_unescaped():
    html = engine.fill(
        DocumentKind.RECEIPT,
        "{{ programme_logo }}|{{ programme_name }}|{{ ranking_table }}",
        {"programme_logo": "<img src=x>", "programme_name": "<b>", "ranking_table": "<table>"},
    )
    # ranking_table is raw for the ranking act only: not a placeholder of the receipt.
    assert html == "<img src=x>|&lt;b&gt;|&lt;table&gt;"


def test_a_template_may_not_invent_a_raw_placeholder(world):
    with pytest.raises(ValidationError) as refusal:
        services.template_save(
            actor=world.coordinator, programme=world.programme, kind=DocumentKind.RECEIPT, language="it",
            body="{{ evil_table }} {{ programme_logo_raw }}",
        )  # fmt: skip
    assert "evil_table" in refusal.value.message_dict["body"][0]
    assert "programme_logo_raw" in refusal.value.message_dict["body"][0]


def test_logo_value_is_an_embedded_image_with_the_programme_name_as_text(world):
    world.programme.name = 'Prog "A" <&>'
    world.programme.save()
    assert logo_html(world.programme) == "" and programme_values(world.programme)["programme_logo"] == ""
    programme = give_logo(world)
    html = logo_html(programme)
    encoded = base64.b64encode(image_bytes()).decode()
    assert html == f'<img class="logo" src="data:image/png;base64,{encoded}" alt="Prog &quot;A&quot; &lt;&amp;&gt;">'


def test_jpeg_logo_is_embedded_as_jpeg(world):
    programme = give_logo(world, "logo.jpg", image_bytes(image_format="JPEG"))
    assert logo_html(programme).startswith('<img class="logo" src="data:image/jpeg;base64,/9j/')


def test_missing_file_gives_no_logo_rather_than_an_error(world):
    programme = give_logo(world)
    programme.logo.storage.delete(programme.logo.name)
    assert logo_html(programme) == ""


def test_receipt_carries_the_logo_only_when_the_programme_has_one(client, world):
    application = _submitted(world)
    url = reverse("documents:application-document", args=[application.pk, "receipt"])
    client.force_login(world.participant)
    without = client.get(url)
    assert without.status_code == 200 and images(without.content) == []
    give_logo(world)
    values = builders.receipt(_submitted(world))
    assert values["programme_logo"].startswith('<img class="logo" src="data:image/png;base64,')
    html = engine.fill(DocumentKind.RECEIPT, DEFAULTS[(DocumentKind.RECEIPT, "it")], values)
    assert html.startswith('<header><img class="logo" src="data:image/png;base64,')
    assert "url(" not in html  # the document CSS sizes it; no resource is fetched
    response = client.get(url)
    assert response.status_code == 200
    assert len(images(response.content)) == 1
    assert world.programme.name in pdf_text(response.content)  # the header's text is still there


def test_the_cohort_register_carries_the_logo_too(world):
    give_logo(world)
    cw = build_cohort(world)
    values = cohort_documents.cohort_register_values(cw.cohort)
    content = _render(world, values, DocumentKind.COHORT_REGISTER, "en")
    assert values["programme_logo"].startswith("<img") and len(images(content)) >= 1


def test_same_data_and_logo_give_the_same_bytes_a_new_logo_new_bytes(world):
    give_logo(world)
    application = _submitted(world)
    values = builders.receipt(application)
    first = _render(world, values)
    assert images(first) and _render(world, builders.receipt(application)) == first
    kwargs = {
        "actor": world.participant, "programme_id": world.programme.pk, "kind": DocumentKind.RECEIPT,
        "subject": f"application:{application.pk}", "language": "it", "values": values,
    }  # fmt: skip
    issued = services.document_issue(**kwargs)
    assert bytes(issued.content) == first and services.document_issue(**kwargs).pk == issued.pk
    give_logo(world, content=image_bytes(colour="#c00000"))
    assert _render(world, builders.receipt(_submitted(world))) != first


def test_a_coordinators_template_may_place_the_logo(world):
    give_logo(world)
    services.template_save(
        actor=world.coordinator, programme=world.programme, kind=DocumentKind.RECEIPT, language="it",
        body="<h1>Ricevuta</h1><footer>{{ programme_logo }}</footer>",
    )  # fmt: skip
    application = _submitted(world)
    content = _render(world, builders.receipt(application))
    assert len(images(content)) == 1 and "Ricevuta" in pdf_text(content)
