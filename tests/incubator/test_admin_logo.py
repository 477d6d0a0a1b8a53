"""The programme's logo in the back office: who may change it, and the refusals (type read
from the bytes, size, pixels) shown as errors of the field with nothing changed."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from incubator import models as m
from incubator import services
from incubator.exceptions import NotPermitted
from tests import factories as f
from tests.documents.logos import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded logos go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def change(programme):
    return reverse("admin:incubator_programme_change", args=[programme.pk])


def _post_logo(client, programme, logo=None, **extra):
    """The programme's change form as shown, with a logo attached (or cleared)."""
    page = client.get(change(programme))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "logo"}
    data.update({"roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "_save": "Save", **extra})
    if logo is not None:
        data["logo"] = logo
    return client.post(change(programme), data)


def _events(programme):
    return m.AuditEvent.objects.filter(verb="programme.update", target_id=programme.pk)


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinator_and_administrator_upload_a_logo_through_the_service(client, world, admin_user, media, who):
    client.force_login(world.coordinator if who == "coordinator" else admin_user)
    response = _post_logo(client, world.programme, upload("Il Nostro Logo!.png"))
    assert response.status_code == 302, response.content.decode()[:3000]
    world.programme.refresh_from_db()
    name = world.programme.logo.name
    assert name.startswith("programmes/logos/") and name.endswith("-Il_Nostro_Logo.png")
    assert (media / name).read_bytes() == image_bytes()
    event = _events(world.programme).get()
    assert event.before == {"logo": ""} and event.after == {"logo": name}


def test_the_change_page_offers_png_and_jpeg_and_shows_the_current_logo_embedded(client, world):
    client.force_login(world.coordinator)
    page = client.get(change(world.programme)).content.decode()
    assert 'accept=".png,.jpg,.jpeg"' in page and 'enctype="multipart/form-data"' in page
    assert "data:image/" not in page
    _post_logo(client, world.programme, upload("mark.png"))
    page = client.get(change(world.programme)).content.decode()
    encoded = base64.b64encode(image_bytes()).decode()
    assert f'<img src="data:image/png;base64,{encoded}" alt="The current logo" height="48">' in page
    assert "mark.png" in page and "/media-not-public/" not in page  # no link to a file nobody serves
    assert 'name="logo-clear"' in page


def _png_too_many_pixels() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buffer, "PNG")  # a few kB, 20 million pixels
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"just some text, not an image", "The file's content is not a PNG document"),
        ("logo.jpg", image_bytes(), "The file's content is not a JPG document"),
        ("logo.gif", b"GIF89a" + b"\x00" * 40, "This type of file is not accepted: use JPG, PNG."),
        ("logo.pdf", b"%PDF-1.7\n", "This type of file is not accepted: use JPG, PNG."),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048, "The file is not a readable PNG or JPEG image."),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024), "The file is too large: at most 1 MB."),
        ("logo.png", _png_too_many_pixels(), "The image is too large: at most 16 million pixels."),
    ],
    ids=["text", "png-named-jpg", "gif", "pdf", "corrupt", "too-big", "too-many-pixels"],
)
def test_bad_logo_is_a_field_error_and_nothing_changes(client, world, media, name, content, message):
    client.force_login(world.coordinator)
    response = _post_logo(client, world.programme, SimpleUploadedFile(name, content), budget="1.00")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["logo"], errors
    assert message in errors["logo"][0]
    world.programme.refresh_from_db()
    assert not world.programme.logo and world.programme.budget != 1
    assert not _events(world.programme).exists()
    assert not list(media.rglob("*.*"))


def test_the_service_refuses_a_bad_logo_naming_the_field(world):
    with pytest.raises(ValidationError) as refusal:
        services.programme_update(
            actor=world.coordinator, programme=world.programme, logo=SimpleUploadedFile("x.png", b"text")
        )
    assert "not a PNG" in refusal.value.message_dict["logo"][0]
    world.programme.refresh_from_db()
    assert not world.programme.logo


def test_replacing_and_clearing_the_logo_deletes_the_old_file(client, world, media, django_capture_on_commit_callbacks):
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _post_logo(client, world.programme, upload("first.png"))
    world.programme.refresh_from_db()
    first = world.programme.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        _post_logo(client, world.programme, upload("second.jpg", image_bytes(image_format="JPEG")))
    world.programme.refresh_from_db()
    second = world.programme.logo.name
    assert second.endswith("-second.jpg") and not (media / first).exists() and (media / second).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_logo(client, world.programme, **{"logo-clear": "on"})
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert not world.programme.logo and not (media / second).exists()
    assert list(_events(world.programme).order_by("pk").values_list("after", flat=True))[-1] == {"logo": ""}


def test_other_programmes_coordinator_gets_404_and_changes_nothing(client, world, other):
    client.force_login(other.coordinator)
    assert client.get(change(world.programme)).status_code == 404
    response = client.post(change(world.programme), {"logo": upload(), "_save": "Save"})
    assert response.status_code == 404
    world.programme.refresh_from_db()
    assert not world.programme.logo
    with pytest.raises(NotPermitted):
        services.programme_update(actor=other.coordinator, programme=world.programme, logo=upload())


def test_staff_without_a_role_gets_404(client, world):
    client.force_login(f.UserFactory(username="staff-only", is_staff=True))
    assert client.get(change(world.programme)).status_code == 404
    assert client.post(change(world.programme), {"logo": upload(), "_save": "Save"}).status_code == 404
    world.programme.refresh_from_db()
    assert not world.programme.logo


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
def test_other_roles_are_sent_to_the_login(client, world, role):
    client.force_login(getattr(world, role))
    response = client.post(change(world.programme), {"logo": upload(), "_save": "Save"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    world.programme.refresh_from_db()
    assert not world.programme.logo
    with pytest.raises(NotPermitted):
        services.programme_update(actor=getattr(world, role), programme=world.programme, logo=upload())


def test_administrator_creates_a_programme_with_a_logo(client, admin_user, media):
    client.force_login(admin_user)
    data = {
        "name": "Nuovo", "code": "NEW-1", "fund": "FESR", "budget": "1000.00", "starts_on": "2026-01-01",
        "ends_on": "2026-12-31", "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "logo": upload("n.png"),
    }  # fmt: skip
    response = client.post(reverse("admin:incubator_programme_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = m.Programme.objects.get(code="NEW-1")
    assert programme.logo.name.endswith("-n.png") and (media / programme.logo.name).exists()
    event = m.AuditEvent.objects.get(verb="programme.create", target_id=programme.pk)
    assert event.after["logo"] == programme.logo.name
