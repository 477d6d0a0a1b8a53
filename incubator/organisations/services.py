"""Every write about organisations: registering one (a coordinator, or an applicant who
then acts for it) and affiliating users. Keyword-only, an ``actor``, atomic, audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Programme, Role, User
from incubator.organisations.models import Organisation, OrganisationMember
from incubator.services import _save_new

FIELDS = ("kind", "name", "tax_code", "istat_code", "population", "runts_number", "company_size")


def acts_for(user, organisation_id: int) -> bool:
    return OrganisationMember.objects.filter(
        organisation_id=organisation_id, user_id=getattr(user, "pk", None)
    ).exists()


@transaction.atomic
def organisation_create(*, actor, programme: Programme, **fields) -> Organisation:
    """A coordinator registers any organisation; an applicant of the programme (or anyone
    signing up to apply) registers theirs and becomes its first member."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise DomainError(_("This field cannot be set here."), code="read_only", field=sorted(unknown)[0])
    coordinator = access.has_role(actor, programme.pk, Role.COORDINATOR)
    if not coordinator and not getattr(actor, "is_authenticated", False):
        raise NotPermitted()
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if "tax_code" in values:
        values["tax_code"] = values["tax_code"].upper()
    organisation = Organisation(programme=programme, **values)
    _require_kind_data(organisation)
    organisation = _save_new(organisation)
    if not coordinator:
        _save_new(OrganisationMember(organisation=organisation, user=actor))
    audit.record(
        actor=actor,
        verb="organisation.create",
        target=organisation,
        programme_id=programme.pk,
        after={k: getattr(organisation, k) for k in FIELDS},
    )
    return organisation


def _require_kind_data(organisation: Organisation) -> None:
    """The database refuses these too; here they become an error naming the field."""
    kind = organisation.kind
    if kind == "municipality":
        if not organisation.istat_code:
            raise DomainError(_("A municipality needs its ISTAT code."), code="required", field="istat_code")
        if organisation.population is None:
            raise DomainError(_("A municipality needs its resident population."), code="required", field="population")
    if kind == "third_sector" and not organisation.runts_number:
        raise DomainError(_("A third-sector body needs its RUNTS number."), code="required", field="runts_number")
    if kind == "company" and not organisation.company_size:
        raise DomainError(_("A company needs its size class."), code="required", field="company_size")


@transaction.atomic
def organisation_add_member(*, actor, organisation: Organisation, user: User, position: str = "") -> OrganisationMember:
    """A coordinator, or a member of the organisation, affiliates a user (an applicant
    acting for it, or an evaluator working there)."""
    if not (access.has_role(actor, organisation.programme_id, Role.COORDINATOR) or acts_for(actor, organisation.pk)):
        raise NotPermitted()
    if OrganisationMember.objects.filter(organisation=organisation, user=user).exists():
        raise DomainError(_("This person is already a member."), code="duplicate", field="user")
    member = _save_new(OrganisationMember(organisation=organisation, user=user, position=position.strip()))
    audit.record(
        actor=actor,
        verb="organisation.add_member",
        target=organisation,
        programme_id=organisation.programme_id,
        after={"user": user.pk, "position": member.position},
    )
    return member
