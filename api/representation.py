"""The base serializers of the API: DRF's, with ``to_representation`` doing once per
serializer what DRF does once per object.

DRF's ``Serializer.to_representation`` walks a generator of the readable fields for every
object, reads each value through ``Field.get_attribute`` (a loop over the dotted source, a
``Mapping`` check, a callable check, exception handling for defaults) and, for every date
and time, looks the current time zone up in a context-local. Serialising is a fifth to a
third of a 50-row list request; done this way it takes 29 % less time over thirteen list
endpoints (``docs/performance.md``, "2026-12-05: lists").

Here a model serializer's fields are built from the model once per class and copied per
instance (DRF builds them for every instance), the readable fields are listed once per
serializer instance (a serializer lives for
one request), a plain model column is read with ``getattr`` when the object is an instance
of the serializer's model, and a date-time field is given the request's time zone once. The
values are the same as DRF's: everything else (relations, methods, dotted sources, dicts,
fields with their own ``get_attribute``) goes through DRF's own path, and every field's own
``to_representation`` is still the one that formats its value.
``tests/api/test_representation.py`` checks the output against DRF's on every list
endpoint's serializer."""

import copy
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from rest_framework import fields, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject


def _plain_columns(model) -> frozenset[str]:
    """Attribute names of the model's concrete, non-relational columns: reading one is a
    dict lookup on the instance (or a query if deferred, exactly as through DRF)."""
    if model is None:
        return frozenset()
    return frozenset(f.attname for f in model._meta.concrete_fields if not f.is_relation)


class FastRepresentation:
    """Mixed into both bases below; see the module's docstring."""

    @cached_property
    def _representation_plan(self) -> tuple[list[tuple[str, fields.Field, str | None]], type | None]:
        model = getattr(getattr(self, "Meta", None), "model", None)
        columns = _plain_columns(model)
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        plan = []
        for field in self.fields.values():
            if field.write_only:
                continue
            if isinstance(field, fields.DateTimeField) and not hasattr(field, "timezone"):
                # What DateTimeField.default_timezone() answers for the rest of this request.
                field.timezone = zone
            plain = (
                len(field.source_attrs) == 1
                and field.source_attrs[0] in columns
                and type(field).get_attribute is fields.Field.get_attribute
            )
            plan.append((field.field_name, field, field.source_attrs[0] if plain else None))
        return plan, model

    def to_representation(self, instance):
        plan, model = self._representation_plan
        direct = model is not None and isinstance(instance, model)
        ret = {}
        for name, field, column in plan:
            if direct and column is not None:
                attribute = getattr(instance, column)
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class Serializer(FastRepresentation, serializers.Serializer):
    pass


class ModelSerializer(FastRepresentation, serializers.ModelSerializer):
    def get_fields(self):
        """DRF's fields for this class, built from the model once per process (1.7 to 2.5
        ms a serializer here) and deep-copied for each instance (a quarter of that), as
        DRF itself copies the declared fields: what it builds depends on the class alone
        (Meta, the declared fields, the model), never on the request or the instance."""
        cls = type(self)
        prototype = cls.__dict__.get("_fields_prototype")
        if prototype is None:
            prototype = super().get_fields()
            cls._fields_prototype = prototype
        return copy.deepcopy(prototype)
