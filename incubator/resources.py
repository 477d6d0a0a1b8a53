"""Import and export columns of people (django-import-export). Rows are written by the
services, all or nothing: see ``incubator.imports.engine``."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.results import RowResult

from incubator import services
from incubator.imports.engine import ServiceResource
from incubator.imports.formats import TextWidget
from incubator.models import Person


def _column(name: str, attribute: str | None = None, widget=None, readonly: bool = False) -> Field:
    return Field(attribute=attribute, column_name=name, widget=widget or TextWidget(), readonly=readonly)


def _required(value: str) -> str:
    if not value:
        raise ValueError(gettext("This field is required."))
    return value


class PersonResource(ServiceResource):
    """One row per person; a tax code already known in the programme updates that person."""

    programme = _column("programme", "programme__code")
    first_name = _column("first_name", "first_name")
    last_name = _column("last_name", "last_name")
    tax_code = _column("tax_code", "tax_code")
    email = _column("email", "email")
    phone = _column("phone", "phone")

    required_columns = ("programme", "first_name", "last_name", "tax_code")

    class Meta:
        model = Person
        name = _("People")
        fields = ("programme", "first_name", "last_name", "tax_code", "email", "phone")
        export_order = fields

    def clean_programme(self, value, values):
        return self.programme_by_code(value)

    def clean_tax_code(self, value, values):
        return value.upper()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("programme")

    def save_row(self, values):
        programme = values.pop("programme")
        existing = Person.objects.filter(programme=programme, tax_code=values["tax_code"]).first()
        if existing is None:
            person = services.person_create(actor=self.actor, programme=programme, **values)
            return person, RowResult.IMPORT_TYPE_NEW
        changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
        if not changed:
            return existing, RowResult.IMPORT_TYPE_SKIP
        return services.person_update(actor=self.actor, person=existing, **changed), RowResult.IMPORT_TYPE_UPDATE
