"""Data-subject rights: the access export (JSON and CSV, for the person and the
programme's coordinators), erasure as anonymisation that keeps the statistics and is
refused while the retention period runs, the scheduled anonymisation (command and task),
and consent and refusal records."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cohorts.reports.figures import cohort_report, report_scope
from incubator import audit
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent, Person, User
from incubator.participants.models import ParticipantEntryData, ParticipantResult, SensitiveDataRead
from incubator.privacy import registry as gdpr
from incubator.privacy import services as services_gdpr
from incubator.privacy.models import ConsentRecord, ErasureRequest
from incubator.privacy.selectors import personal_data, personal_data_csv
from incubator.privacy.tasks import anonymise_expired_task
from tests import factories as f

pytestmark = pytest.mark.django_db

PAID = dt.date(2015, 6, 30)  # retention ended on 31/12/2020


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def statistics(full) -> dict:
    report = cohort_report(report_scope(programme=full.programme, cohort=full.cohort))
    data = report.as_dict()
    data["scope"].pop("computed_on")
    return {**data, "victims": report.women_victims_of_violence}


# --- retention ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "paid, today, running",
    [
        (None, dt.date(2040, 1, 1), True),  # no last payment: the period has not started
        (dt.date(2024, 3, 10), dt.date(2029, 12, 31), True),  # the last day of the period
        (dt.date(2024, 3, 10), dt.date(2030, 1, 1), False),
        (dt.date(2024, 12, 31), dt.date(2030, 1, 1), False),
        (dt.date(2025, 1, 1), dt.date(2030, 1, 1), True),
    ],
)
def test_retention_runs_five_years_from_31_december_of_the_last_payment(world, paid, today, running):
    world.programme.last_payment_on = paid
    world.programme.save()
    assert gdpr.retention_running(world.programme, today) is running
    assert (world.programme in gdpr.programmes_past_retention(today)) is (not running)


@pytest.mark.parametrize(
    "birth, entered",
    [
        (dt.date(1990, 6, 15), dt.date(2026, 3, 1)),  # birthday after the day of entry
        (dt.date(1990, 2, 15), dt.date(2026, 3, 1)),
        (dt.date(1996, 3, 1), dt.date(2026, 3, 1)),  # birthday on the day of entry
        (dt.date(1997, 12, 31), dt.date(2026, 1, 1)),
        (dt.date(1996, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_reduced_birth_date_keeps_the_year_and_the_age_at_entry(birth, entered):
    reduced = gdpr.reduced_birth_date(birth, entered)
    assert reduced.year == birth.year and (reduced.month, reduced.day) in ((1, 1), (12, 31))
    age = entered.year - birth.year - ((entered.month, entered.day) < (birth.month, birth.day))
    assert entered.year - reduced.year - ((entered.month, entered.day) < (reduced.month, reduced.day)) == age


# --- erasure refused while the retention period runs --------------------------------------------


@pytest.mark.parametrize("paid, code", [(None, "retention_not_started"), (dt.date(2025, 5, 2), "retention_running")])
def test_erasure_is_refused_with_its_reason_while_retention_runs(full_a, paid, code):
    programme = full_a.programme
    programme.last_payment_on = paid
    programme.save()
    person = full_a.teammate
    before = (person.first_name, person.last_name, person.tax_code)
    response = browser(full_a.world.coordinator).post(
        f"/api/v1/people/{person.pk}/erasure/", {}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["outcome"], body["refusal_code"]) == ("refused", code)
    assert "2021/1060" in body["reason"]
    if paid:
        assert "31/12/2030" in body["reason"] and body["retention_ends_on"] == "2030-12-31"
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.tax_code) == before and person.anonymised_at is None
    assert ErasureRequest.objects.filter(person=person, outcome="refused", refusal_code=code).count() == 1
    assert AuditEvent.objects.filter(verb="person.erasure_refused", target_id=person.pk).exists()


def test_the_person_may_ask_for_their_own_erasure_others_may_not(full_a, other):
    person = full_a.person
    for user in (full_a.world.evaluator, full_a.world.tutor, other.coordinator):
        response = browser(user).post(f"/api/v1/people/{person.pk}/erasure/", {}, content_type="application/json")
        assert response.status_code == 404, user
    response = browser(full_a.world.participant).post(
        f"/api/v1/people/{person.pk}/erasure/", {}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["outcome"] == "refused"
    assert ErasureRequest.objects.filter(person=person).count() == 1


# --- erasure as anonymisation ------------------------------------------------------------------------


def test_anonymisation_replaces_identity_and_keeps_the_statistics(full_a, admin_user):
    programme, person, teammate = full_a.programme, full_a.person, full_a.teammate
    programme.last_payment_on = PAID
    programme.save()
    user = full_a.world.participant
    full_name = f"{person.first_name} {person.last_name}"
    old = {"tax_code": person.tax_code, "email": person.email, "teammate_tax": teammate.tax_code}
    # Free text mentioning them, in the audit trail and beside their records.
    audit.record(
        actor=full_a.world.coordinator,
        verb="note",
        target=person,
        programme_id=programme.pk,
        after={"said": f"call {full_name.upper()} on {old['email']}"},
        reason=f"Spoke with {full_name}, tax code {old['tax_code']}",
    )
    full_a.attendance.note = f"{full_name} arrived late"
    full_a.attendance.save()
    ParticipantResult.objects.filter(person=teammate).update(source_note="Phone call with Teammate")
    figures = statistics(full_a)
    entry_before = ParticipantEntryData.objects.get(person=teammate)

    erasure = services_gdpr.person_erasure_request(actor=full_a.world.coordinator, person=person)
    services_gdpr.person_erasure_request(actor=full_a.world.coordinator, person=teammate)

    assert erasure.outcome == "anonymised" and erasure.origin == "request"
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.user is None
    assert (person.first_name, person.last_name, person.tax_code, person.email, person.phone) == (
        gdpr.ANONYMOUS_FIRST_NAME,
        f"#{person.pk}",
        gdpr.anonymous_tax_code(person.pk),
        "",
        "",
    )
    # The ESF+ categories stay; the date of birth keeps its year and the age at entry.
    entry = ParticipantEntryData.objects.get(person=teammate)
    assert entry.birth_date.year == entry_before.birth_date.year and entry.birth_date != entry_before.birth_date
    assert entry.age == entry_before.age and entry.age_band == entry_before.age_band
    for name in ("gender", "labour_status", "isced", "disability", "minority", "homeless", "victim_of_violence"):
        assert getattr(entry, name) == getattr(entry_before, name), name
    assert statistics(full_a) == figures
    # Free text about them is gone.
    full_a.attendance.refresh_from_db()
    assert full_a.attendance.note == ""
    assert not ParticipantResult.objects.filter(person=teammate).exclude(source_note="").exists()
    trail = json.dumps(list(AuditEvent.objects.values("target_repr", "reason", "before", "after")), default=str)
    for value in (full_name, old["tax_code"], old["email"], old["teammate_tax"]):
        assert value.casefold() not in trail.casefold(), value
    assert "[erased]" in trail
    # Their login opens nothing any more.
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.username == f"erased-{user.pk}"
    assert user.email == "" and user.first_name == ""
    assert not Token.objects.filter(user=user).exists()
    assert not CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert browser().get(f"/calendar/{full_a.participant_feed.token}.ics").status_code == 404
    # The erasure is logged; a second request is refused.
    assert ErasureRequest.objects.filter(person=person, outcome="anonymised").count() == 1
    assert AuditEvent.objects.filter(verb="person.anonymise", target_id=person.pk).exists()
    with pytest.raises(DomainError) as error:
        services_gdpr.person_erasure_request(actor=full_a.world.coordinator, person=person)
    assert error.value.code == "anonymised"


def test_an_account_with_other_work_is_kept_but_unlinked(world):
    world.programme.last_payment_on = PAID
    world.programme.save()
    tutor = world.tutor
    person = f.PersonFactory(programme=world.programme, user=tutor)
    services_gdpr.person_erasure_request(actor=world.coordinator, person=person)
    tutor.refresh_from_db()
    person.refresh_from_db()
    assert tutor.is_active and tutor.has_usable_password() and person.user is None


def test_only_coordinators_and_the_person_erase(world, other):
    world.programme.last_payment_on = PAID
    world.programme.save()
    for user in (world.evaluator, world.tutor, other.coordinator):
        with pytest.raises(NotPermitted):
            services_gdpr.person_erasure_request(actor=user, person=world.participant_person)
    assert not ErasureRequest.objects.exists()


# --- the scheduled anonymisation ----------------------------------------------------------------


def test_command_anonymises_only_programmes_past_retention_and_is_idempotent(world, other):
    world.programme.last_payment_on = PAID
    world.programme.save()
    other.programme.last_payment_on = dt.date(2025, 1, 10)
    other.programme.save()
    extra = f.PersonFactory(programme=world.programme)
    out = io.StringIO()
    call_command("anonymise_expired", "--dry-run", stdout=out)
    assert f"{world.programme.code}: 2 would be anonymised" in out.getvalue()
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()

    call_command("anonymise_expired", stdout=io.StringIO())
    assert set(Person.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)) == {
        world.participant_person.pk,
        extra.pk,
    }
    assert not Person.objects.filter(programme=other.programme, anonymised_at__isnull=False).exists()
    assert ErasureRequest.objects.filter(origin="retention", outcome="anonymised").count() == 2
    names = sorted(Person.objects.values_list("first_name", flat=True))

    out = io.StringIO()
    call_command("anonymise_expired", stdout=out)
    assert "Total: 0 anonymised" in out.getvalue()
    assert ErasureRequest.objects.count() == 2 and sorted(Person.objects.values_list("first_name", flat=True)) == names


def test_the_task_runs_the_same_work_and_a_later_date_reaches_more_programmes(world, other):
    other.programme.last_payment_on = dt.date(2025, 1, 10)
    other.programme.save()
    result = anonymise_expired_task.enqueue(today="2030-12-31")
    assert result.return_value == {}
    result = anonymise_expired_task.enqueue(today="2031-01-01")
    assert result.return_value == {other.programme.code: 1}
    assert Person.objects.get(pk=other.participant_person.pk).anonymised_at is not None
    out = io.StringIO()
    call_command("anonymise_expired", "--enqueue", stdout=out)
    assert "Enqueued task" in out.getvalue()


def test_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("anonymise_expired", "--date", "31/12/2030")


# --- the access export ---------------------------------------------------------------------------


def test_access_export_holds_everything_about_the_person_and_nothing_of_others(full_a, full_b):
    teammate = full_a.teammate
    client = browser(full_a.world.coordinator)
    response = client.get(f"/api/v1/people/{teammate.pk}/personal-data/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["person"]["tax_code"] == teammate.tax_code
    assert data["entry_data"]["birth_date"] == full_a.birth_date.isoformat()
    assert data["entry_data"]["victim_of_violence"] is True
    assert data["results"][0]["employed"] is True
    assert {m["title"] for m in data["milestones"]} >= {"Business plan"}
    assert data["ventures"][0]["title"] == full_a.venture.title
    assert data["funding"][0]["campaigns"]
    body = response.content.decode()
    for secret in (full_a.person.tax_code, full_a.person.last_name):
        assert secret not in body
    assert full_b.teammate.tax_code not in body and "PRIVATE-NOTE" not in body
    # The read of the entry data is logged.
    assert SensitiveDataRead.objects.filter(
        person=teammate, reader=full_a.world.coordinator, channel="export", detail="personal data export"
    ).exists()


def test_my_data_in_json_and_csv_from_one_selector(full_a):
    client = browser(full_a.world.participant)
    as_json = json.loads(client.get("/my-path/data.json").content)
    response = client.get("/my-path/data.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "item", "field", "value"]
    cells = {(r[0], r[2]): r[3] for r in rows[1:] if r[1] in ("", "1")}
    assert cells[("person", "tax_code")] == as_json["person"]["tax_code"]
    assert cells[("consents", "purpose")] == "communications"
    assert cells[("account", "username")] == full_a.world.participant.username
    assert {r[0] for r in rows[1:]} >= {"attendance", "tutoring_sessions", "action_items", "milestones", "funding"}
    assert full_a.participant_feed.token not in response.content.decode()


def test_access_export_by_role(full_a, other, admin_user):
    person = full_a.person
    for user, status in (
        (full_a.world.coordinator, 200),
        (full_a.world.participant, 200),
        (full_a.world.evaluator, 404),
        (full_a.world.tutor, 404),
        (other.coordinator, 404),
        (other.participant, 404),
        (admin_user, 404),  # an administrator is not the programme's staff
    ):
        for url in (f"/api/v1/people/{person.pk}/personal-data/?as=csv", f"/people/{person.pk}/data.csv"):
            assert browser(user).get(url).status_code == status, (user, url)
    assert browser(full_a.world.coordinator).get(f"/people/{person.pk}/data.xml").status_code == 404
    assert browser(full_a.world.coordinator).get(f"/api/v1/people/{person.pk}/personal-data/?as=xml").status_code == 400


def test_access_export_csv_neutralises_formulas(full_a):
    full_a.venture.title = '=HYPERLINK("http://evil.example","x")'
    full_a.venture.save()
    data = personal_data(reader=full_a.world.coordinator, person=full_a.person)
    text = personal_data_csv(data).decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


# --- consent and refusal records ----------------------------------------------------------------


def test_consent_record_supersede_and_withdraw(world):
    person, coordinator = world.participant_person, world.coordinator
    earlier = timezone.now() - dt.timedelta(days=10)
    refused = services_gdpr.consent_record(
        actor=coordinator, person=person, purpose="images", given=False, decided_at=earlier, note="form 12"
    )
    given = services_gdpr.consent_record(actor=world.participant, person=person, purpose="images", given=True)
    refused.refresh_from_db()
    assert refused.superseded_at == given.decided_at and given.current and not refused.current
    with pytest.raises(DomainError) as error:
        services_gdpr.consent_withdraw(actor=world.participant, consent=refused)
    assert error.value.code == "not_current"
    withdrawn = services_gdpr.consent_withdraw(actor=world.participant, consent=given)
    assert withdrawn.withdrawn_at and withdrawn.withdrawn_recorded_by == world.participant
    assert ConsentRecord.objects.filter(person=person).count() == 2
    assert AuditEvent.objects.filter(verb__in=["consent.record", "consent.withdraw"]).count() == 3


def test_a_refusal_cannot_be_withdrawn_and_dates_are_checked(world):
    person = world.participant_person
    refusal = services_gdpr.consent_record(actor=world.coordinator, person=person, purpose="partners", given=False)
    with pytest.raises(DomainError) as error:
        services_gdpr.consent_withdraw(actor=world.coordinator, consent=refusal)
    assert (error.value.code, error.value.field) == ("refused", "withdrawn_at")
    with pytest.raises(DomainError) as error:
        services_gdpr.consent_record(
            actor=world.coordinator,
            person=person,
            purpose="partners",
            given=True,
            decided_at=timezone.now() + dt.timedelta(days=1),
        )
    assert error.value.field == "decided_at"
    with pytest.raises(DomainError) as error:
        services_gdpr.consent_record(
            actor=world.coordinator,
            person=person,
            purpose="partners",
            given=True,
            decided_at=timezone.now() - dt.timedelta(days=400),
        )
    assert error.value.code == "out_of_order"


def test_consent_api_by_role_and_bad_input(world, other):
    person = world.participant_person
    url = "/api/v1/consents/"
    body = {"person": person.pk, "purpose": "follow_up", "given": True}
    for user in (world.evaluator, world.tutor, other.coordinator):
        response = browser(user).post(url, body, content_type="application/json")
        assert response.status_code == 400 and "person" in response.json(), user
    for bad, field in (
        ({"purpose": "marketing"}, "purpose"),
        ({"given": "perhaps"}, "given"),
        ({"decided_at": "31/02/2026"}, "decided_at"),
        ({"note": "x" * 301}, "note"),
    ):
        response = browser(world.coordinator).post(url, {**body, **bad}, content_type="application/json")
        assert response.status_code == 400 and field in response.json(), bad
    assert not ConsentRecord.objects.exists()
    response = browser(world.participant).post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    consent_id = response.json()["id"]
    assert browser(other.coordinator).get(f"{url}{consent_id}/").status_code == 404
    assert (
        browser(world.tutor).post(f"{url}{consent_id}/withdraw/", {}, content_type="application/json").status_code
        == 404
    )
    response = browser(world.participant).post(f"{url}{consent_id}/withdraw/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    listed = browser(world.coordinator).get(url).json()["results"]
    assert [row["id"] for row in listed] == [consent_id]


def test_erasure_log_is_visible_to_the_programme_only(world, other):
    services_gdpr.person_erasure_request(actor=world.coordinator, person=world.participant_person)
    assert len(browser(world.coordinator).get("/api/v1/erasure-requests/").json()["results"]) == 1
    assert len(browser(world.participant).get("/api/v1/erasure-requests/").json()["results"]) == 1
    for user in (other.coordinator, world.tutor, world.evaluator):
        assert browser(user).get("/api/v1/erasure-requests/").json()["results"] == []


def test_back_office_records_consent_and_asks_for_erasure(world):
    client = browser(world.coordinator)
    response = client.post(
        "/admin/incubator/consentrecord/add/",
        {
            "person": world.participant_person.pk,
            "purpose": "esf_monitoring",
            "given": "on",
            "decided_at_0": "2026-01-10",
            "decided_at_1": "10:00",
            "note": "modulo firmato",
        },
    )
    assert response.status_code == 302, response.content
    assert ConsentRecord.objects.get().recorded_by == world.coordinator
    response = client.post("/admin/incubator/erasurerequest/add/", {"person": world.participant_person.pk}, follow=True)
    assert response.status_code == 200
    assert ErasureRequest.objects.get().outcome == "refused"
    assert "2021/1060" in response.content.decode()
    assert User.objects.get(pk=world.participant.pk).is_active
