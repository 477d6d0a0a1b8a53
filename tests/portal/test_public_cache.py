"""The public list of calls is cached, but never shows what the office has just changed
(a call, its documents, its FAQ); the coordinator reaches a call's submissions by clicks
from the main menu."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incubator.selection import office
from incubator.selection.models import CallFaq
from tests.portal.conftest import PDF, client_for

pytestmark = pytest.mark.django_db


def listing():
    return client_for().get(reverse("selection:calls")).text


def test_the_list_is_cached(form, django_assert_num_queries):
    listing()
    with django_assert_num_queries(0):
        assert form.call.title in listing()


def test_editing_a_call_shows_at_once(form):
    assert form.call.title in listing()
    form.call.title = "Bando rinnovato 2027"
    form.call.save()
    assert "Bando rinnovato 2027" in listing()


def test_a_new_document_or_faq_or_a_deleted_call_reads_afresh(form, world, django_assert_num_queries):
    from incubator.selection import selectors

    listing()
    versions = [selectors.public_calls_version()]
    office.document_add(
        actor=world.coordinator, call=form.call, title="Allegato tecnico B", file=SimpleUploadedFile("b.pdf", PDF)
    )
    versions.append(selectors.public_calls_version())
    office.faq_save(actor=world.coordinator, faq=CallFaq(call=form.call, question="Chi?", answer="Tutti"))
    versions.append(selectors.public_calls_version())
    assert len(set(versions)) == 3  # each write starts a new version
    assert selectors.public_calls()["open"][0].documents.all()[0].title == "Allegato tecnico B"
    from tests import factories as f

    extra = f.CallFactory(programme=world.programme, title="Bando breve")
    assert "Bando breve" in listing()
    extra.delete()
    assert "Bando breve" not in listing()


def test_the_coordinator_reaches_the_submissions_by_clicks(form, world):
    coordinator = client_for(world.coordinator)
    home = coordinator.get("/privacy/").text
    menu = home[home.index('data-testid="main-menu"') :]
    assert 'href="/calls/"' in menu[: menu.index("</ul>")]
    calls = coordinator.get("/calls/").text
    assert f'href="/calls/{form.call.pk}/"' in calls
    page = coordinator.get(f"/calls/{form.call.pk}/").text
    link = re.search(r'href="(/office/calls/\d+/applications/)"', page).group(1)
    assert coordinator.get(link).status_code == 200
    # Other roles do not get the office's link on the call page.
    assert "/office/calls/" not in client_for(world.participant).get(f"/calls/{form.call.pk}/").text


def call_page(call):
    return client_for().get(reverse("selection:call", args=[call.pk])).text


def test_a_calls_page_is_cached_and_shows_the_offices_changes_at_once(form, world, django_assert_num_queries):
    call_page(form.call)
    with django_assert_num_queries(0):  # an anonymous visitor: no session, the call from the cache
        assert form.call.title in call_page(form.call)
    form.call.title = "Bando rinnovato 2027"
    form.call.save()
    assert "Bando rinnovato 2027" in call_page(form.call)
    office.faq_save(actor=world.coordinator, faq=CallFaq(call=form.call, question="Chi può partecipare?", answer="x"))
    assert "Chi può partecipare?" in call_page(form.call)
