"""The base serializers of the API: DRF's, with ``to_representation`` doing once per
serializer what DRF does once per object.

DRF's ``Serializer.to_representation`` walks a generator of the readable fields for every
object, reads each value through ``Field.get_attribute`` (a loop over the dotted source, a
``Mapping`` check, a callable check, exception handling for defaults) and, for every date
and time, looks the current time zone up in a context-local. Serialising is a fifth to a
third of a 50-row list request; done this way it takes 29 % less time over thirteen list
endpoints (``docs/performance.md``, "2026-12-05: lists").

Here a model serializer's fields are built from the model once per class and copied per
instance (DRF builds them for every instance); the readable fields are listed once per
serializer instance (a serializer lives for one request); when the object is an instance
of the serializer's model, a plain column is read with ``getattr`` and a related id from
the foreign key's ``<name>_id`` (what DRF's primary-key field answers); a date-time field
is given the request's time zone once. Everything else (other relations, methods, dotted
sources, dicts, fields with their own ``get_attribute``) goes through DRF's own path, and
every other field's own ``to_representation`` still formats its value.
``tests/api/test_representation.py`` checks the output against DRF's on every list
endpoint's serializer."""

import copy
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from rest_framework import fields, relations, serializers
from rest_framework.fields import SkipField


def _columns(model) -> tuple[frozenset[str], dict[str, str]]:
    """The model's concrete, non-relational columns (reading one is a dict lookup on the
    instance, or a query if deferred, exactly as through DRF), and its foreign keys by
    name with the attribute holding the id (``programme`` -> ``programme_id``)."""
    if model is None:
        return frozenset(), {}
    concrete = model._meta.concrete_fields
    plain = frozenset(f.attname for f in concrete if not f.is_relation)
    keys = {f.name: f.attname for f in concrete if f.is_relation and (f.many_to_one or f.one_to_one)}
    return plain, keys


def _is_plain_id(field) -> bool:
    """A primary-key related field answering DRF's own way: the related id, read by DRF
    from the foreign key's ``<name>_id`` without loading the related row."""
    kind = type(field)
    return (
        isinstance(field, relations.PrimaryKeyRelatedField)
        and field.pk_field is None
        and kind.get_attribute is relations.RelatedField.get_attribute
        and kind.use_pk_only_optimization is relations.PrimaryKeyRelatedField.use_pk_only_optimization
        and kind.to_representation is relations.PrimaryKeyRelatedField.to_representation
    )


class FastRepresentation:
    """Mixed into both bases below; see the module's docstring."""

    @cached_property
    def _representation_plan(self) -> tuple[list[tuple[str, fields.Field, str | None, bool]], type | None]:
        """Per readable field: its name, the field, the instance attribute to read
        directly (or None: DRF's ``get_attribute``), and whether that attribute is already
        the answer (a foreign key's id)."""
        model = getattr(getattr(self, "Meta", None), "model", None)
        columns, keys = _columns(model)
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        plan = []
        for field in self.fields.values():
            if field.write_only:
                continue
            if isinstance(field, fields.DateTimeField) and not hasattr(field, "timezone"):
                # What DateTimeField.default_timezone() answers for the rest of this request.
                field.timezone = zone
            source = field.source_attrs[0] if len(field.source_attrs) == 1 else None
            if source in columns and type(field).get_attribute is fields.Field.get_attribute:
                plan.append((field.field_name, field, source, False))
            elif source in keys and _is_plain_id(field):
                plan.append((field.field_name, field, keys[source], True))
            else:
                plan.append((field.field_name, field, None, False))
        return plan, model

    def to_representation(self, instance):
        plan, model = self._representation_plan
        direct = model is not None and isinstance(instance, model)
        ret = {}
        for name, field, attribute_name, is_answer in plan:
            if direct and attribute_name is not None:
                attribute = getattr(instance, attribute_name)
                if is_answer:
                    ret[name] = attribute
                    continue
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
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
