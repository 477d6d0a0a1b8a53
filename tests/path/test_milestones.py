"""Milestone state changes, verification, waivers and evidence, with every refusal."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import AuditEvent
from incubator.path import services
from incubator.path import services as services_path
from incubator.path.models import EnrolmentStatus, Milestone
from incubator.path.models import MilestoneState as M
from tests import factories as f
from tests.path.conftest import JPEG, PDF, PNG, docx_bytes, odt_bytes, upload

pytestmark = pytest.mark.django_db


def _state(milestone) -> str:
    milestone.refresh_from_db()
    return milestone.state


# --- state changes -------------------------------------------------------------------------


def test_participant_starts_and_declares_achieved(world, path):
    milestone = path.milestone("Idea canvas")
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.IN_PROGRESS)
    assert _state(milestone) == M.IN_PROGRESS
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.PLANNED)
    assert _state(milestone) == M.PLANNED
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.ACHIEVED, on=yesterday)
    milestone.refresh_from_db()
    assert (milestone.state, milestone.achieved_on, milestone.verified_at) == (M.ACHIEVED, yesterday, None)
    event = AuditEvent.objects.filter(verb="milestone.achieved", target_id=milestone.pk).get()
    assert event.actor == world.participant and event.before == {"state": "planned"}


@pytest.mark.parametrize(("target", "reason"), [(M.MISSED, ""), (M.WAIVED, "Not applicable")])
def test_participant_cannot_mark_missed_or_waive(world, path, target, reason):
    milestone = path.milestone("Idea canvas")
    with pytest.raises(NotPermitted):
        services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=target, reason=reason)
    assert _state(milestone) == M.PLANNED


def test_participant_cannot_reopen_an_achieved_milestone(world, path):
    milestone = path.milestone("Idea canvas")
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.ACHIEVED)
    with pytest.raises(NotPermitted):
        services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.IN_PROGRESS)


def test_tutor_marks_missed_and_reopens(world, path, assigned):
    milestone = path.milestone("Idea canvas")
    services_path.milestone_change_state(actor=world.tutor, milestone=milestone, state=M.MISSED)
    assert _state(milestone) == M.MISSED
    # Achieved late, after all.
    services_path.milestone_change_state(actor=world.tutor, milestone=milestone, state=M.ACHIEVED)
    assert _state(milestone) == M.ACHIEVED
    services_path.milestone_change_state(actor=world.tutor, milestone=milestone, state=M.IN_PROGRESS)
    assert _state(milestone) == M.IN_PROGRESS


def test_tutor_without_assignment_may_not_act(world, path):
    milestone = path.milestone("Idea canvas")
    with pytest.raises(NotPermitted):
        services_path.milestone_change_state(actor=world.tutor, milestone=milestone, state=M.MISSED)


def test_tutor_cannot_waive(world, path, assigned):
    milestone = path.milestone("Idea canvas")
    with pytest.raises(NotPermitted):
        services_path.milestone_change_state(
            actor=world.tutor, milestone=milestone, state=M.WAIVED, reason="Not needed"
        )


def test_coordinator_waives_with_a_reason_and_unwaives(world, path):
    milestone = path.milestone("Grant application")
    services_path.milestone_change_state(
        actor=world.coordinator, milestone=milestone, state=M.WAIVED, reason="Crowdfunding track instead"
    )
    milestone.refresh_from_db()
    assert (milestone.state, milestone.waiver_reason) == (M.WAIVED, "Crowdfunding track instead")
    services_path.milestone_change_state(actor=world.coordinator, milestone=milestone, state=M.PLANNED)
    milestone.refresh_from_db()
    assert (milestone.state, milestone.waiver_reason) == (M.PLANNED, "")


@pytest.mark.parametrize("reason", ["", "   "])
def test_waiver_without_reason_is_refused_and_writes_nothing(world, path, reason):
    milestone = path.milestone("Grant application")
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        services_path.milestone_change_state(
            actor=world.coordinator, milestone=milestone, state=M.WAIVED, reason=reason
        )
    assert (error.value.field, error.value.code) == ("reason", "reason_required")
    assert _state(milestone) == M.PLANNED
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (M.ACHIEVED, M.MISSED),
        (M.ACHIEVED, M.PLANNED),
        (M.WAIVED, M.ACHIEVED),
        (M.MISSED, M.PLANNED),
        (M.PLANNED, M.PLANNED),
    ],
)
def test_transitions_outside_the_table_are_refused(world, path, start, target):
    milestone = path.milestone("Idea canvas")
    Milestone.objects.filter(pk=milestone.pk).update(state=start, waiver_reason="x" if start == M.WAIVED else "")
    with pytest.raises(TransitionNotAllowed):
        services_path.milestone_change_state(actor=world.coordinator, milestone=milestone, state=target)
    assert _state(milestone) == start


def test_unknown_state_and_future_achievement_are_refused(world, path):
    milestone = path.milestone("Idea canvas")
    with pytest.raises(DomainError) as error:
        services_path.milestone_change_state(actor=world.coordinator, milestone=milestone, state="done")
    assert error.value.field == "state"
    with pytest.raises(DomainError) as error:
        services_path.milestone_change_state(
            actor=world.coordinator,
            milestone=milestone,
            state=M.ACHIEVED,
            on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert error.value.field == "achieved_on"
    assert _state(milestone) == M.PLANNED


def test_another_venture_or_programme_may_not_act(world, other, path):
    milestone = path.milestone("Idea canvas")
    stranger = f.UserFactory()
    from incubator.models import RoleAssignment

    RoleAssignment.objects.create(user=stranger, programme=world.programme, role="participant")
    for actor in (stranger, other.participant, other.coordinator, world.evaluator):
        with pytest.raises(NotPermitted):
            services_path.milestone_change_state(actor=actor, milestone=milestone, state=M.IN_PROGRESS)
    assert _state(milestone) == M.PLANNED


def test_closed_path_accepts_only_the_coordinators_changes(world, path):
    services.enrolment_change_status(
        actor=world.coordinator, enrolment=path.enrolment, status=EnrolmentStatus.COMPLETED, reason="End"
    )
    milestone = path.milestone("Exit")
    with pytest.raises(DomainError) as error:
        services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.IN_PROGRESS)
    assert error.value.code == "enrolment_closed"
    services_path.milestone_change_state(actor=world.coordinator, milestone=milestone, state=M.MISSED)
    assert _state(milestone) == M.MISSED


# --- verification --------------------------------------------------------------------------


def _achieved(world, path, title="Idea canvas"):
    milestone = path.milestone(title)
    services_path.milestone_change_state(actor=world.participant, milestone=milestone, state=M.ACHIEVED)
    return milestone


def test_participant_cannot_verify_their_own_milestone(world, path):
    milestone = _achieved(world, path)
    with pytest.raises(NotPermitted):
        services_path.milestone_verify(actor=world.participant, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.verified_at is None


def test_a_coordinator_in_the_team_cannot_verify_it_either(world, path):
    milestone = _achieved(world, path)
    f.TeamMemberFactory(
        venture=world.venture, person=f.PersonFactory(programme=world.programme, user=world.coordinator)
    )
    with pytest.raises(NotPermitted):
        services_path.milestone_verify(actor=world.coordinator, milestone=milestone)


def test_tutor_verifies_who_and_when_are_kept(world, path, assigned):
    milestone = _achieved(world, path)
    before = timezone.now()
    services_path.milestone_verify(actor=world.tutor, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.verified_by == world.tutor
    assert milestone.verified_at >= before
    with pytest.raises(DomainError) as error:
        services_path.milestone_verify(actor=world.coordinator, milestone=milestone)
    assert error.value.code == "already_verified"
    # Reopening drops the verification.
    services_path.milestone_change_state(actor=world.tutor, milestone=milestone, state=M.IN_PROGRESS)
    milestone.refresh_from_db()
    assert (milestone.verified_by, milestone.verified_at, milestone.achieved_on) == (None, None, None)


def test_only_achieved_milestones_are_verified(world, path):
    milestone = path.milestone("Idea canvas")
    with pytest.raises(TransitionNotAllowed):
        services_path.milestone_verify(actor=world.coordinator, milestone=milestone)


def test_evidence_is_needed_before_verification_when_required(world, path):
    milestone = _achieved(world, path, "Business plan")
    with pytest.raises(DomainError) as error:
        services_path.milestone_verify(actor=world.coordinator, milestone=milestone)
    assert (error.value.field, error.value.code) == ("evidence", "evidence_missing")
    services_path.milestone_attach_evidence(
        actor=world.participant, milestone=milestone, url="https://example.org/business-plan"
    )
    services_path.milestone_verify(actor=world.coordinator, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.verified_by == world.coordinator


def test_unassigned_tutor_and_other_programme_cannot_verify(world, other, path):
    milestone = _achieved(world, path)
    for actor in (world.tutor, other.coordinator, other.tutor):
        with pytest.raises(NotPermitted):
            services_path.milestone_verify(actor=actor, milestone=milestone)


# --- evidence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Piano d'impresa (finale).PDF", PDF),
        ("foto.png", PNG),
        ("scan.jpeg", JPEG),
        ("scan.jpg", JPEG),
        ("statuto.docx", docx_bytes()),
        ("statuto.odt", odt_bytes()),
    ],
)
def test_evidence_files_of_the_accepted_types_are_stored_privately(world, path, media, name, content):
    milestone = path.milestone("Business plan")
    services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=upload(name, content))
    milestone.refresh_from_db()
    stored = milestone.evidence_file.name
    assert stored.startswith("evidence/")
    filename = Path(stored).name
    assert " " not in filename and "'" not in filename and "(" not in filename
    assert filename.lower().endswith(Path(name).suffix.lower())
    assert (Path(media) / stored).read_bytes() == content


def test_evidence_name_cannot_escape_the_media_folder(world, path, media):
    milestone = path.milestone("Business plan")
    services_path.milestone_attach_evidence(
        actor=world.participant, milestone=milestone, file=upload("../../etc/passwd.pdf", PDF)
    )
    milestone.refresh_from_db()
    assert ".." not in milestone.evidence_file.name
    assert (Path(media) / milestone.evidence_file.name).resolve().is_relative_to(Path(media).resolve())


def test_evidence_too_large_is_refused_and_nothing_is_written(world, path, media, settings):
    milestone = path.milestone("Business plan")
    big = upload("plan.pdf", PDF + b"0" * (services_path.EVIDENCE_MAX_BYTES + 1 - len(PDF)))
    with pytest.raises(DomainError) as error:
        services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=big)
    assert (error.value.field, error.value.code) == ("file", "file_too_large")
    milestone.refresh_from_db()
    assert not milestone.evidence_file
    assert not Path(media).exists() or not any(Path(media).rglob("*.pdf"))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 60, "file_type"),
        ("page.html", b"<html><script>alert(1)</script></html>", "file_type"),
        ("no-extension", PDF, "file_type"),
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 60, "file_content"),
        ("photo.png", JPEG, "file_content"),
        ("report.docx", b"PK\x03\x04 not really a zip", "file_content"),
        ("report.odt", docx_bytes(), "file_content"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_evidence_of_the_wrong_type_is_refused(world, path, media, name, content, code):
    milestone = path.milestone("Business plan")
    with pytest.raises(DomainError) as error:
        services_path.milestone_attach_evidence(
            actor=world.participant, milestone=milestone, file=upload(name, content, "application/pdf")
        )
    assert (error.value.field, error.value.code) == ("file", code)
    milestone.refresh_from_db()
    assert not milestone.evidence_file
    assert not AuditEvent.objects.filter(verb="milestone.evidence").exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "not a url", "file:///etc/passwd"])
def test_evidence_link_must_be_a_web_address(world, path, url):
    milestone = path.milestone("Business plan")
    with pytest.raises(DomainError) as error:
        services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, url=url)
    assert error.value.field == "url"
    milestone.refresh_from_db()
    assert milestone.evidence_url == ""


def test_evidence_needs_a_file_or_a_link(world, path):
    with pytest.raises(DomainError) as error:
        services_path.milestone_attach_evidence(actor=world.participant, milestone=path.milestone("Business plan"))
    assert error.value.code == "required"


def test_new_evidence_replaces_the_old_file(world, path, media, django_capture_on_commit_callbacks):
    milestone = path.milestone("Business plan")
    with django_capture_on_commit_callbacks(execute=True):
        services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=upload("a.pdf", PDF))
    milestone.refresh_from_db()
    first = Path(media) / milestone.evidence_file.name
    with django_capture_on_commit_callbacks(execute=True):
        services_path.milestone_attach_evidence(actor=world.participant, milestone=milestone, file=upload("b.png", PNG))
    milestone.refresh_from_db()
    assert not first.exists()
    assert (Path(media) / milestone.evidence_file.name).read_bytes() == PNG


def test_evidence_refused_on_waived_and_verified_milestones_and_to_strangers(world, other, path):
    waived = path.milestone("Grant application")
    services_path.milestone_change_state(actor=world.coordinator, milestone=waived, state=M.WAIVED, reason="n/a")
    with pytest.raises(TransitionNotAllowed):
        services_path.milestone_attach_evidence(actor=world.participant, milestone=waived, file=upload("a.pdf", PDF))
    verified = _achieved(world, path)
    services_path.milestone_verify(actor=world.coordinator, milestone=verified)
    with pytest.raises(DomainError) as error:
        services_path.milestone_attach_evidence(actor=world.participant, milestone=verified, url="https://e.org")
    assert error.value.code == "already_verified"
    with pytest.raises(NotPermitted):
        services_path.milestone_attach_evidence(
            actor=other.participant, milestone=path.milestone("Business plan"), url="https://e.org"
        )


# --- ad-hoc milestones and rescheduling -------------------------------------------------------


def test_tutor_adds_and_reschedules_a_milestone(world, path, assigned):
    enrolment = path.enrolment
    due = enrolment.starts_on + dt.timedelta(days=200)
    milestone = services_path.milestone_create(actor=world.tutor, enrolment=enrolment, title="Market test", due_on=due)
    assert milestone.template is None and milestone.state == M.PLANNED
    services_path.milestone_reschedule(
        actor=world.tutor, milestone=milestone, due_on=due + dt.timedelta(days=30), reason="Fair postponed"
    )
    milestone.refresh_from_db()
    assert milestone.due_on == due + dt.timedelta(days=30)
    event = AuditEvent.objects.get(verb="milestone.reschedule", target_id=milestone.pk)
    assert event.reason == "Fair postponed"


def test_reschedule_refusals(world, path):
    milestone = path.milestone("Mid-term review")
    enrolment = path.enrolment
    with pytest.raises(DomainError) as error:
        services_path.milestone_reschedule(
            actor=world.coordinator, milestone=milestone, due_on=enrolment.ends_on + dt.timedelta(days=1), reason="x"
        )
    assert (error.value.field, error.value.code) == ("due_on", "outside_path")
    with pytest.raises(DomainError) as error:
        services_path.milestone_reschedule(
            actor=world.coordinator, milestone=milestone, due_on=enrolment.ends_on, reason=" "
        )
    assert error.value.field == "reason"
    with pytest.raises(NotPermitted):
        services_path.milestone_reschedule(
            actor=world.participant, milestone=milestone, due_on=enrolment.ends_on, reason="Later"
        )
    with pytest.raises(NotPermitted):
        services_path.milestone_create(
            actor=world.participant, enrolment=enrolment, title="Mine", due_on=enrolment.ends_on
        )
