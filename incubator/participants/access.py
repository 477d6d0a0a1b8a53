"""Who may see participants' ESF+ data, outcomes, pseudonyms and the read log.

Entry data, results and pseudonyms are personal data of the most sensitive kind: only
the coordinators of the person's programme and the person themself see entry data and
results; pseudonyms only the coordinators. Evaluators, tutors and trainers never do.

``access.visible`` lets a superuser see every record of every model. For these models
that is not enough of a reason: a technical administrator sees them only where they are
also a coordinator of the programme. ``visible_sensitive`` is that stricter rule and
every view, admin and export of these models starts from it.

Registered from ``IncubatorConfig.ready``."""

from django.db import models
from django.db.models import Q

from incubator import access
from incubator.models import Person
from incubator.participants.models import (
    ParticipantEntryData,
    ParticipantResult,
    Pseudonym,
    SensitiveDataRead,
    TrainingUnitCost,
    VentureOutcome,
)
from incubator.path.models import Enrolment

SENSITIVE_MODELS = (ParticipantEntryData, ParticipantResult, Pseudonym)


def own_person_ids(user) -> models.QuerySet:
    return Person.objects.filter(user=user, anonymised_at__isnull=True).values("pk")


@access.rule(ParticipantEntryData)
def _entry_data(user) -> Q:
    return Q(person__programme__in=access.coordinated(user)) | Q(person__in=own_person_ids(user))


@access.rule(ParticipantResult)
def _result(user) -> Q:
    return Q(person__programme__in=access.coordinated(user)) | Q(person__in=own_person_ids(user))


@access.rule(Pseudonym)
def _pseudonym(user) -> Q:
    return Q(person__programme__in=access.coordinated(user))


@access.rule(VentureOutcome)
def _venture_outcome(user) -> Q:
    return Q(enrolment__in=access.visible(user, Enrolment).values("pk"))


@access.rule(TrainingUnitCost)
def _training_unit_cost(user) -> Q:
    return Q(programme__in=access.coordinated(user))


@access.rule(SensitiveDataRead)
def _sensitive_read(user) -> Q:
    return Q(programme__in=access.coordinated(user))


_STRICT = {ParticipantEntryData: _entry_data, ParticipantResult: _result, Pseudonym: _pseudonym}


def visible_sensitive(user, model_or_qs) -> models.QuerySet:
    """``access.visible`` without the superuser's blanket sight (see the module doc)."""
    qs = access.visible(user, model_or_qs)
    model = qs.model
    if model not in _STRICT:
        raise LookupError(f"{model._meta.label} is not a sensitive participant model.")
    if access.is_admin(user):
        qs = qs.filter(_STRICT[model](user))
    return qs


def can_manage_participants(user, programme_id: int) -> bool:
    """Coordinators of the programme record entry data, results and outcomes."""
    return programme_id in access.coordinated(user)
