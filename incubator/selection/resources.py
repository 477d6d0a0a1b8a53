"""Import and export columns of applications (the back office's import goes through the
selection services, like every other write)."""

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.results import RowResult

from incubator import services as core_services
from incubator.imports.engine import ServiceResource
from incubator.imports.formats import (
    BooleanWidget,
    ChoiceListWidget,
    ChoiceWidget,
    DateTimeWidget,
    DateWidget,
    DecimalWidget,
)
from incubator.models import ApplicantKind, LegalForm, LegalFormChange, Person, TeamMember, Theme, Venture
from incubator.resources import _column, _required
from incubator.selection import services
from incubator.selection.models import Application, Call


class ApplicationResource(ServiceResource):
    """One row per application. A venture unknown in the programme (by title) is created
    with the person of ``lead_tax_code`` as its idea holder; ``submitted_at`` submits the
    application at that time. An application the venture already has for the call is
    skipped, so an exported file imports again without duplicates."""

    programme = _column("programme", "call__programme__code")
    call = _column("call")
    venture = _column("venture", "venture__title")
    applicant_kind = _column("applicant_kind", "venture__applicant_kind", ChoiceWidget(ApplicantKind))
    themes = _column("themes", "venture__themes", ChoiceListWidget(Theme))
    target_area = _column("target_area", "venture__target_area")
    summary = _column("summary", "venture__summary")
    social_need = _column("social_need", "venture__social_need")
    lead_tax_code = _column("lead_tax_code")
    legal_form = _column("legal_form", widget=ChoiceWidget(LegalForm))
    legal_form_since = _column("legal_form_since", widget=DateWidget())
    submitted_at = _column("submitted_at", "submitted_at", DateTimeWidget())
    state = _column("state", "state", readonly=True)
    score = _column("score", "score", DecimalWidget(), readonly=True)
    rank = _column("rank", "rank", widgets.IntegerWidget(), readonly=True)
    decision_reason = _column("decision_reason", "decision_reason", readonly=True)
    crowdfunding_referral = _column("crowdfunding_referral", "crowdfunding_referral", BooleanWidget(), readonly=True)

    required_columns = ("programme", "call", "venture", "lead_tax_code")

    class Meta:
        model = Application
        name = _("Applications")
        fields = (
            "programme",
            "call",
            "venture",
            "applicant_kind",
            "themes",
            "target_area",
            "summary",
            "social_need",
            "lead_tax_code",
            "legal_form",
            "legal_form_since",
            "submitted_at",
            "state",
            "score",
            "rank",
            "decision_reason",
            "crowdfunding_referral",
        )
        export_order = fields

    # -- import

    def clean_programme(self, value, values):
        return self.programme_by_code(value)

    def clean_call(self, value, values):
        programme = values.get("programme")
        if programme is None:  # the programme column already has its own error
            return None
        calls = list(
            Call.objects.filter(Q(reference__iexact=_required(value)) | Q(title__iexact=value), programme=programme)[:2]
        )
        if len(calls) != 1:
            raise ValueError(
                gettext("There is no single call “%(call)s” (reference or title) in programme %(programme)s.")
                % {"call": value, "programme": programme.code}
            )
        return calls[0]

    def clean_venture(self, value, values):
        return _required(value)

    def clean_lead_tax_code(self, value, values):
        programme = values.get("programme")
        if programme is None:
            return None
        person = Person.objects.filter(programme=programme, tax_code=_required(value).upper()).first()
        if person is None:
            raise ValueError(
                gettext("Nobody with tax code %(code)s in programme %(programme)s: import the people first.")
                % {"code": value.upper(), "programme": programme.code}
            )
        return person

    def save_row(self, values):
        programme, call = values["programme"], values["call"]
        venture = Venture.objects.filter(programme=programme, title__iexact=values["venture"]).first()
        if venture is None:
            details = {
                name: values[name]
                for name in ("applicant_kind", "themes", "target_area", "summary", "social_need")
                if values.get(name) is not None
            }
            venture = core_services.venture_create(
                actor=self.actor,
                programme=programme,
                title=values["venture"],
                team=[(values["lead_tax_code"], TeamMember.TeamRole.LEAD)],
                legal_form=values.get("legal_form") or LegalForm.INFORMAL_GROUP,
                legal_form_since=values.get("legal_form_since"),
                **details,
            )
        existing = Application.objects.filter(venture=venture, call=call).first()
        if existing is not None:
            return existing, RowResult.IMPORT_TYPE_SKIP
        application = services.application_create(actor=self.actor, venture=venture, call=call)
        if values.get("submitted_at"):
            application = services.application_submit(
                actor=self.actor, application=application, at=values["submitted_at"]
            )
        return application, RowResult.IMPORT_TYPE_NEW

    # -- export

    def filter_export(self, queryset, **kwargs):
        # One query for the whole file: the lead and the current legal form as subqueries.
        leads = TeamMember.objects.filter(venture=OuterRef("venture"), role=TeamMember.TeamRole.LEAD)
        forms = LegalFormChange.objects.in_force().filter(venture=OuterRef("venture")).order_by("-effective_on")
        return queryset.select_related("venture", "call__programme").annotate(
            export_lead_tax_code=Subquery(leads.order_by("pk").values("person__tax_code")[:1]),
            export_legal_form=Subquery(forms.values("legal_form")[:1]),
            export_legal_form_since=Subquery(forms.values("effective_on")[:1]),
        )

    def _current_form(self, application) -> LegalFormChange | None:
        return application.venture.legal_forms.in_force().order_by("-effective_on").first()

    def dehydrate_call(self, application):
        return application.call.reference or application.call.title

    def dehydrate_lead_tax_code(self, application):
        if hasattr(application, "export_lead_tax_code"):
            return application.export_lead_tax_code or ""
        lead = application.venture.team.filter(role=TeamMember.TeamRole.LEAD).select_related("person").first()
        return lead.person.tax_code if lead else ""

    def dehydrate_legal_form(self, application):
        if hasattr(application, "export_legal_form"):
            return application.export_legal_form or ""
        current = self._current_form(application)
        return current.legal_form if current else ""

    def dehydrate_legal_form_since(self, application):
        if hasattr(application, "export_legal_form_since"):
            return application.export_legal_form_since
        current = self._current_form(application)
        return current.effective_on if current else None
