"""The main navigation per role, the role switch, the footer's pages and the error pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views import defaults

from incubator import access, navigation
from incubator.models import RoleAssignment

pytestmark = pytest.mark.django_db


def client_for(user=None, language: str = "it") -> Client:
    c = Client(headers={"accept-language": language})
    if user is not None:
        c.force_login(user)
    return c


def menu_hrefs(html: str) -> str:
    start = html.index('data-testid="main-menu"')
    return html[start : html.index("</ul>", start)]


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        (
            "coordinator",
            ["/dashboard/", "/path/", "/dashboard/exports/", "/admin/", "/selection/calls/"],
            ["/my-path/", "/tutor/"],
        ),
        (
            "tutor",
            ["/tutor/", "/tutor/sessions/new/", "/tutor/timesheet/", "/path/"],
            ["/dashboard/", "/admin/", "/tutoring/"],
        ),
        ("participant", ["/my-path/", "/tutoring/"], ["/dashboard/", "/path/", "/admin/", "/tutor/"]),
        (
            "evaluator",
            ["/selection/evaluations/"],
            ["/dashboard/", "/my-path/", "/tutor/", "/path/", "/selection/calls/"],
        ),
    ],
)
def test_each_role_gets_its_menu_and_nothing_else(world, who, sees, does_not_see):
    html = client_for(getattr(world, who)).get("/privacy/").content.decode()
    menu = menu_hrefs(html)
    for href in sees:
        assert f'href="{href}"' in menu, (who, href)
    for href in does_not_see:
        assert f'href="{href}"' not in menu, (who, href)


def test_the_administrator_gets_the_back_office_and_the_api_docs(admin_user):
    menu = menu_hrefs(client_for(admin_user).get("/privacy/").content.decode())
    assert 'href="/admin/"' in menu and 'href="/api/docs/"' in menu


def test_an_anonymous_visitor_gets_no_menu_but_the_footer_and_a_login_link():
    html = client_for().get("/accessibility/").content.decode()
    assert 'data-testid="main-menu"' not in html
    assert 'href="/login/"' in html
    assert 'href="/accessibility/"' in html and 'href="/privacy/"' in html


def test_the_current_page_is_marked_in_the_menu(world):
    html = client_for(world.participant).get("/my-path/").content.decode()
    assert 'href="/my-path/" aria-current="page"' in html


def test_a_signed_in_person_without_roles_is_an_applicant(db):
    from tests import factories as f

    user = f.UserFactory(username="newcomer")
    assert [p.role for p in navigation.personas_of(user)] == [navigation.APPLICANT]
    assert navigation.personas_of(f.UserFactory(username="root", is_superuser=True))[-1].role == "administrator"


def test_several_roles_switch_and_the_choice_is_kept(world):
    RoleAssignment.objects.create(user=world.participant, programme=world.programme, role="tutor")
    access.forget(world.participant)
    c = client_for(world.participant)
    html = c.get("/privacy/").content.decode()
    assert 'id="persona"' in html and 'action="/acting-as/"' in html
    assert 'href="/my-path/"' not in menu_hrefs(html)  # tutor comes first in the order of roles

    response = c.post("/acting-as/", {"persona": f"participant:{world.programme.pk}"})
    assert response.status_code == 302 and response["Location"] == "/my-path/"
    assert 'href="/my-path/"' in menu_hrefs(c.get("/privacy/").content.decode())


def test_a_role_one_does_not_hold_cannot_be_chosen(world, other):
    c = client_for(world.participant)
    response = c.post("/acting-as/", {"persona": f"coordinator:{world.programme.pk}"})
    assert response.status_code == 302
    assert c.session.get(navigation.SESSION_KEY) is None
    response = c.post("/acting-as/", {"persona": f"participant:{other.programme.pk}"})
    assert c.session.get(navigation.SESSION_KEY) is None
    assert client_for().post("/acting-as/", {"persona": "x"}).status_code == 302  # to the login
    assert c.get("/acting-as/").status_code == 405


def test_the_language_switch_is_a_button_not_a_select_that_submits(world):
    html = client_for(world.participant).get("/my-path/").content.decode()
    assert 'id="language-submit"' in html and 'type="submit"' in html
    assert "data-autosubmit" not in html and "onchange" not in html


@pytest.mark.parametrize(
    ("path", "it_heading", "en_heading"),
    [
        ("/accessibility/", "Dichiarazione di accessibilità", "Accessibility statement"),
        ("/privacy/", "Informativa sul trattamento dei dati personali", "Privacy notice"),
    ],
)
def test_the_footer_pages_exist_in_italian_and_english_for_everyone(world, path, it_heading, en_heading):
    for user in (None, world.participant, world.coordinator):
        it = client_for(user, "it").get(path)
        en = client_for(user, "en").get(path)
        assert it.status_code == en.status_code == 200
        assert f"<h1>{it_heading}</h1>" in it.content.decode()
        assert f"<h1>{en_heading}</h1>" in en.content.decode()
    assert "form.agid.gov.it" in client_for(None).get("/accessibility/").content.decode()
    assert "Garante" in client_for(None).get("/privacy/").content.decode()


def test_404_is_our_page_in_both_languages_and_leaks_no_model_name(world, other):
    it = client_for(world.participant, "it").get(f"/path/enrolments/{other.application.pk + 1000}/")
    assert it.status_code == 404
    body = it.content.decode()
    assert "Pagina non trovata" in body and "matches the given query" not in body
    assert 'href="/accessibility/"' in body  # the whole layout, footer included
    en = client_for(None, "en").get("/no-such-page/")
    assert en.status_code == 404 and "Page not found" in en.content.decode()


def test_403_and_500_are_our_pages(world):
    request = RequestFactory().get("/")
    request.user = world.participant
    request.session = {}
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403 and "Access denied" in response.content.decode()
    response = defaults.server_error(request)
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def test_500_in_italian(world, italian_default):
    from django.utils import translation

    with translation.override("it"):
        response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Si è verificato un errore" in response.content.decode()


def test_each_page_address_has_one_url_name():
    """Two names for one address (the privacy notice once had two) make links disagree."""
    from collections import defaultdict

    from tests.trust.routes import all_routes

    names = defaultdict(set)
    for route in all_routes():
        if not route.is_admin and not route.is_api:
            names[route.pattern].add(route.key)
    shared = {pattern: keys for pattern, keys in names.items() if len(keys) > 1}
    assert shared == {}
    assert names["privacy/"] == {"privacy"}
