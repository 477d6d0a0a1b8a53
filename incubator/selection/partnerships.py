"""Applicants that are organisations and partnerships: who applies (the organisation and
its partners, with roles and budget shares adding up to 100 %) and the call's rules on
who may apply (kinds of organisation, a municipality's minimum population, company size
classes), checked at submission with an error naming the rule. Same rules as
``services``: keyword-only, an ``actor``, atomic, audited."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import Role
from incubator.organisations.models import CompanySize, Organisation, OrganisationKind
from incubator.organisations.services import acts_for
from incubator.selection.models import Application, ApplicationPartner, ApplicationState, Call, PartnerRole
from incubator.services import _decimal, _save_new

HUNDRED = Decimal("100")


def _editable(actor, application: Application) -> Application:
    application = Application.objects.select_for_update().select_related("call", "venture").get(pk=application.pk)
    coordinator = access.has_role(actor, application.call.programme_id, Role.COORDINATOR)
    own = application.venture.team.filter(person__user_id=getattr(actor, "pk", None)).exists()
    if not (coordinator or own):
        raise NotPermitted()
    if application.state != ApplicationState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft can change its applicants."))
    return application


def _organisation_for(actor, application: Application, organisation: Organisation, field: str) -> Organisation:
    if organisation.programme_id != application.call.programme_id:
        raise DomainError(_("The organisation belongs to another programme."), code="other_programme", field=field)
    return organisation


@transaction.atomic
def application_set_organisation(*, actor, application: Application, organisation: Organisation | None) -> Application:
    """The organisation applying (None: the venture's people apply). An applicant may name
    only an organisation they act for; a coordinator any of the programme's."""
    application = _editable(actor, application)
    before = application.organisation_id
    if organisation is not None:
        _organisation_for(actor, application, organisation, "organisation")
        coordinator = access.has_role(actor, application.call.programme_id, Role.COORDINATOR)
        if not coordinator and not acts_for(actor, organisation.pk):
            raise DomainError(_("You do not act for this organisation."), code="not_member", field="organisation")
    application.organisation = organisation
    application.save(update_fields=["organisation"])
    # The lead of a partnership is the applying organisation: a change invalidates the rows.
    application.partners.all().delete()
    audit.record(
        actor=actor,
        verb="application.organisation",
        target=application,
        programme_id=application.call.programme_id,
        before={"organisation": before},
        after={"organisation": application.organisation_id},
    )
    return application


@transaction.atomic
def partnership_set(
    *, actor, application: Application, partners: Iterable[Mapping[str, Any]]
) -> list[ApplicationPartner]:
    """Replaces the partnership whole: the lead is the applying organisation, listed once
    with its share; every partner once; the shares add up to exactly 100 %."""
    application = _editable(actor, application)
    if application.organisation_id is None:
        raise DomainError(_("Name the applying organisation (the lead) first."), code="no_lead", field="organisation")
    rows: list[ApplicationPartner] = []
    seen: set[int] = set()
    for entry in partners:
        organisation = entry.get("organisation")
        if not isinstance(organisation, Organisation):
            raise DomainError(_("Choose the partner organisation."), code="required", field="partners")
        _organisation_for(actor, application, organisation, "partners")
        if organisation.pk in seen:
            raise DomainError(
                _("%(name)s is listed twice.") % {"name": organisation.name}, code="duplicate", field="partners"
            )
        seen.add(organisation.pk)
        share = _decimal(entry.get("budget_share"), "budget_share")
        if not (0 <= share <= HUNDRED):
            raise DomainError(
                _("Each budget share lies between 0 and 100 %."), code="out_of_range", field="budget_share"
            )
        role = PartnerRole.LEAD if organisation.pk == application.organisation_id else PartnerRole.PARTNER
        rows.append(
            ApplicationPartner(
                application=application,
                organisation=organisation,
                role=role,
                activity=(entry.get("activity") or "").strip(),
                budget_share=share,
            )
        )
    if application.organisation_id not in seen:
        raise DomainError(
            _("The lead applicant must be among the partners, with its share."), code="no_lead", field="partners"
        )
    if len(rows) < 2:
        raise DomainError(_("A partnership has at least one partner besides the lead."), code="few", field="partners")
    total = sum((r.budget_share for r in rows), Decimal(0))
    if total != HUNDRED:
        raise DomainError(
            _("The budget shares add up to %(total)s %%, not 100 %%.") % {"total": total},
            code="shares_not_100",
            field="budget_share",
        )
    application.partners.all().delete()
    saved = [_save_new(row) for row in rows]
    audit.record(
        actor=actor,
        verb="application.partnership",
        target=application,
        programme_id=application.call.programme_id,
        after={"partners": [[r.organisation_id, r.role, str(r.budget_share)] for r in saved]},
    )
    return saved


# --- the call's rules on who may apply ------------------------------------------------------


def organisations_only(call: Call) -> bool:
    """Whether only organisations may apply to ``call`` (it names kinds, a population or
    company sizes)."""
    return bool(call.eligible_organisation_kinds or call.min_population is not None or call.eligible_company_sizes)


def organisations_of(user, programme_id: int, *, partners_of: Application | None = None) -> QuerySet:
    """The programme's organisations ``user`` acts for (``OrganisationMember``) and, with
    ``partners_of``, that application's partners too: what an applicant may choose."""
    chosen = Q(memberships__user=user)
    if partners_of is not None:
        chosen |= Q(partnerships__application=partners_of)
    return Organisation.objects.filter(chosen, programme_id=programme_id).distinct()


def applicant_problems(call: Call, organisation: Organisation | None) -> list[DomainError]:
    """Why ``organisation`` (None: people) may not apply to ``call``; empty when it may."""
    kinds = call.eligible_organisation_kinds or []
    if organisation is None:
        if organisations_only(call):
            return [
                DomainError(
                    _("This call is open to organisations only: name the applying organisation."),
                    code="organisation_required",
                    field="organisation",
                )
            ]
        return []
    found = []
    if kinds and organisation.kind not in kinds:
        found.append(
            DomainError(
                _("This call is open to: %(kinds)s; %(name)s is “%(kind)s”.")
                % {
                    "kinds": ", ".join(str(OrganisationKind(k).label) for k in kinds if k in OrganisationKind.values),
                    "name": organisation.name,
                    "kind": organisation.get_kind_display(),
                },
                code="organisation_kind",
                field="organisation",
            )
        )
    if (
        call.min_population is not None
        and organisation.kind == OrganisationKind.MUNICIPALITY
        and (organisation.population or 0) <= call.min_population
    ):
        found.append(
            DomainError(
                _("This call is open to municipalities of over %(min)s residents; %(name)s has %(population)s.")
                % {"min": call.min_population, "name": organisation.name, "population": organisation.population},
                code="population",
                field="organisation",
            )
        )
    sizes = call.eligible_company_sizes or []
    if sizes and organisation.kind == OrganisationKind.COMPANY and organisation.company_size not in sizes:
        found.append(
            DomainError(
                _("This call is open to companies of size: %(sizes)s; %(name)s is “%(size)s”.")
                % {
                    "sizes": ", ".join(str(CompanySize(s).label) for s in sizes if s in CompanySize.values),
                    "name": organisation.name,
                    "size": organisation.get_company_size_display(),
                },
                code="company_size",
                field="organisation",
            )
        )
    return found


def require_applicant_allowed(application: Application) -> None:
    """At submission: the call's rules on who applies, and a partnership's shares."""
    organisation = Organisation.objects.filter(pk=application.organisation_id).first()
    found = applicant_problems(application.call, organisation)
    if found:
        raise found[0]
    shares = list(application.partners.values_list("budget_share", flat=True))
    if shares and sum(shares, Decimal(0)) != HUNDRED:
        raise DomainError(
            _("The partnership's budget shares must add up to 100 %."), code="shares_not_100", field="partners"
        )
