"""The catalogue of notification kinds: what each says, in neutral words.

Subjects say nothing sensitive (no outcome, no names of people, no scores); bodies name
the record concerned (a call, a session, a milestone) and point to the page where the
details are, behind login. No kind ever carries ESF+ data, private tutoring notes or
another person's scores: the context a caller gives is only the few fields named in
``body``."""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INSTANT = "instant", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("Inbox only, no e-mail")


class Kind(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    # selection
    DRAFT_UNSUBMITTED = "draft_unsubmitted", _("Draft not yet submitted")
    SUBMISSION_RECEIPT = "submission_receipt", _("Submission receipt")
    INTEGRATION_REQUESTED = "integration_requested", _("Integration requested")
    INTEGRATION_ANSWERED = "integration_answered", _("Integration answered")
    INTEGRATION_DEADLINE = "integration_deadline", _("Integration deadline near")
    ELIGIBILITY_OUTCOME = "eligibility_outcome", _("Eligibility outcome")
    EVALUATOR_ASSIGNED = "evaluator_assigned", _("Evaluation assigned")
    EVALUATION_DUE = "evaluation_due", _("Evaluation due soon")
    EVALUATION_OVERDUE = "evaluation_overdue", _("Evaluation overdue")
    EVALUATION_CONFLICT = "evaluation_conflict", _("Conflict of interest declared")
    RANKING_PUBLISHED = "ranking_published", _("Ranking published")
    APPLICATION_OUTCOME = "application_outcome", _("Application outcome")
    # negotiation
    REVISION_REQUESTED = "revision_requested", _("Revision of the proposal requested")
    PROPOSAL_REVISED = "proposal_revised", _("Revised proposal received")
    NEGOTIATION_AGREED = "negotiation_agreed", _("Negotiation agreed")
    # training
    SESSION_SCHEDULED = "session_scheduled", _("Training session scheduled")
    SESSION_MOVED = "session_moved", _("Training session moved")
    SESSION_CANCELLED = "session_cancelled", _("Training session cancelled")
    SESSION_TOMORROW = "session_tomorrow", _("Training session tomorrow")
    ATTENDANCE_WARNING = "attendance_warning", _("Attendance under the warning line")
    # path and tutoring
    MILESTONE_DUE = "milestone_due", _("Milestone due in 14 days")
    MILESTONE_OVERDUE = "milestone_overdue", _("Milestone overdue")
    EVIDENCE_VERIFIED = "evidence_verified", _("Evidence verified")
    EVIDENCE_SENT_BACK = "evidence_sent_back", _("Evidence sent back")
    ACTION_ITEM_DUE = "action_item_due", _("Action item due")
    TUTORING_NOTES = "tutoring_notes", _("Tutoring session notes shared")
    # funding
    GRANT_AWARDED = "grant_awarded", _("Grant awarded")
    CONTRACT_TO_SIGN = "contract_to_sign", _("Contract to sign")
    TRANCHE_PAID = "tranche_paid", _("Tranche paid")
    EXPENSE_REFUSED = "expense_refused", _("Expense refused")
    # data
    EXPORT_READY = "export_ready", _("Export ready")
    ERASURE_DONE = "erasure_done", _("Erasure done")


@dataclass(frozen=True)
class KindText:
    subject: Promise
    body: Promise  # %(name)s placeholders filled from the notification's context
    default: str = Channel.INSTANT


TEXTS: dict[str, KindText] = {
    Kind.WELCOME: KindText(
        _("Welcome to your notifications"),
        _("News about your programme will appear here. Choose in the preferences how each kind reaches you."),
        Channel.OFF,
    ),
    Kind.DRAFT_UNSUBMITTED: KindText(
        _("Your draft application is not submitted yet"),
        _("Your draft for the call “%(call)s” is not submitted yet. The call closes on %(closes)s."),
    ),
    Kind.SUBMISSION_RECEIPT: KindText(
        _("Application received"),
        _("We received your application to the call “%(call)s” on %(at)s."),
    ),
    Kind.INTEGRATION_REQUESTED: KindText(
        _("Your application needs more information"),
        _("The office asks you to complete your application to the call “%(call)s” by %(deadline)s."),
    ),
    Kind.INTEGRATION_ANSWERED: KindText(
        _("An integration request was answered"),
        _("The applicant answered the integration request on an application to the call “%(call)s”."),
    ),
    Kind.INTEGRATION_DEADLINE: KindText(
        _("A deadline is near"),
        _("The integration requested for your application to the call “%(call)s” is due on %(deadline)s."),
    ),
    Kind.ELIGIBILITY_OUTCOME: KindText(
        _("News about your application"),
        _("The eligibility check of your application to the call “%(call)s” is done: %(outcome)s."),
    ),
    Kind.EVALUATOR_ASSIGNED: KindText(
        _("A new evaluation for you"),
        _("An application to the call “%(call)s” was assigned to you for evaluation."),
    ),
    Kind.EVALUATION_DUE: KindText(
        _("An evaluation is due soon"),
        _("Your evaluation of an application to the call “%(call)s” is due on %(due)s."),
        Channel.DIGEST,
    ),
    Kind.EVALUATION_OVERDUE: KindText(
        _("An evaluation is overdue"),
        _("Your evaluation of an application to the call “%(call)s” was due on %(due)s."),
    ),
    Kind.EVALUATION_CONFLICT: KindText(
        _("A conflict of interest was declared"),
        _("An evaluator declared a conflict of interest on an application to the call “%(call)s”: assign another."),
    ),
    Kind.RANKING_PUBLISHED: KindText(
        _("A ranking was published"),
        _("The ranking of the call “%(call)s” is published."),
    ),
    Kind.APPLICATION_OUTCOME: KindText(
        _("News about your application"),
        _("The selection of the call “%(call)s” is decided. Your application: %(outcome)s."),
    ),
    Kind.SESSION_SCHEDULED: KindText(
        _("New training session"),
        _("A session “%(topic)s” of %(cohort)s is scheduled on %(starts)s. Place: %(place)s."),
    ),
    Kind.SESSION_MOVED: KindText(
        _("A training session changed"),
        _("The session “%(topic)s” of %(cohort)s now takes place on %(starts)s. Place: %(place)s."),
    ),
    Kind.SESSION_CANCELLED: KindText(
        _("A training session was cancelled"),
        _("The session “%(topic)s” of %(cohort)s on %(starts)s is cancelled."),
    ),
    Kind.SESSION_TOMORROW: KindText(
        _("Training session tomorrow"),
        _("Reminder: the session “%(topic)s” of %(cohort)s is on %(starts)s. Place: %(place)s."),
    ),
    Kind.ATTENDANCE_WARNING: KindText(
        _("About your attendance"),
        _("Your attendance in %(cohort)s is under the line needed to complete the course."),
    ),
    Kind.MILESTONE_DUE: KindText(
        _("A milestone is due soon"),
        _("The milestone “%(milestone)s” of %(venture)s is due on %(due)s."),
        Channel.DIGEST,
    ),
    Kind.MILESTONE_OVERDUE: KindText(
        _("A milestone is overdue"),
        _("The milestone “%(milestone)s” of %(venture)s was due on %(due)s."),
    ),
    Kind.EVIDENCE_VERIFIED: KindText(
        _("Milestone evidence verified"),
        _("The evidence of the milestone “%(milestone)s” of %(venture)s is verified."),
    ),
    Kind.EVIDENCE_SENT_BACK: KindText(
        _("Milestone evidence sent back"),
        _("The evidence of the milestone “%(milestone)s” of %(venture)s was sent back: please look at it again."),
    ),
    Kind.ACTION_ITEM_DUE: KindText(
        _("An action item is due"),
        _("The action item “%(item)s” agreed in tutoring is due on %(due)s."),
        Channel.DIGEST,
    ),
    Kind.TUTORING_NOTES: KindText(
        _("New notes from your tutor"),
        _("Your tutor logged the session of %(on)s with notes for %(venture)s."),
    ),
    Kind.REVISION_REQUESTED: KindText(
        _("The office asks you to revise your proposal"),
        _("The office asks for a revision of the proposal to “%(call)s”. The notes are on the negotiation page."),
    ),
    Kind.PROPOSAL_REVISED: KindText(
        _("A revised proposal was submitted"),
        _("Version %(version)s of a proposal to “%(call)s” was submitted."),
    ),
    Kind.NEGOTIATION_AGREED: KindText(
        _("The negotiation is concluded"),
        _("The negotiation of the proposal to “%(call)s” ended in an agreement."),
    ),
    Kind.GRANT_AWARDED: KindText(
        _("News about your grant"),
        _("A grant to %(venture)s was awarded."),
    ),
    Kind.CONTRACT_TO_SIGN: KindText(
        _("A contract is ready to sign"),
        _("The grant contract of %(venture)s is ready to be signed."),
    ),
    Kind.TRANCHE_PAID: KindText(
        _("News about your grant"),
        _("A payment (%(tranche)s) of the grant to %(venture)s was made on %(on)s."),
    ),
    Kind.EXPENSE_REFUSED: KindText(
        _("News about your expense report"),
        _("An expense item of %(venture)s was not accepted. See the reason in the expense report."),
    ),
    Kind.EXPORT_READY: KindText(
        _("Your export is ready"),
        _("The file you asked for (%(name)s) is ready to download."),
    ),
    Kind.ERASURE_DONE: KindText(
        _("An erasure was carried out"),
        _("The personal data of a person of %(programme)s was erased (record %(record)s)."),
    ),
}


def text(kind: str) -> KindText:
    return TEXTS[kind]
