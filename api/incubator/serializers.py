"""Serializers of the selection pipeline. They shape input and output only: every write
goes through ``incubator.services`` (called by the views), and every related record a
client may name is looked up among the records ``incubator.access`` lets the user see, so
an id out of reach answers 400 "does not exist" exactly like an id that does not exist.

What a nested field may show depends on who asks (``Viewer``): team members appear as
name and role only (never tax code or contacts); application scores only to the
programme's coordinators and to the evaluators assigned; an evaluation embeds its own
scores and nothing of the other evaluators'."""

from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from incubator import access
from incubator.models import (
    LegalForm,
    LegalFormChange,
    Person,
    Programme,
    Role,
    TeamMember,
    Theme,
    Venture,
)
from incubator.selection import access as selection_access
from incubator.selection.models import Application


class Viewer:
    """What the requesting user may see inside a record; decided once per request and
    shared by every row of a list (so the query count does not grow with the rows)."""

    def __init__(self, user):
        self.user = user

    def coordinates(self, programme_id: int) -> bool:
        return access.has_role(self.user, programme_id, Role.COORDINATOR)

    @cached_property
    def evaluated_application_ids(self) -> frozenset[int]:
        if not access.programmes(self.user, Role.EVALUATOR):
            return frozenset()
        return frozenset(selection_access.evaluated_application_ids(self.user).values_list("application_id", flat=True))

    def blind(self, application: Application) -> bool:
        """Blind review: the application's evaluators do not learn who applied."""
        return (
            bool(application.call.blind_review)
            and application.pk in self.evaluated_application_ids
            and not self.coordinates(application.call.programme_id)
        )

    def sees_scores(self, application: Application) -> bool:
        """Coordinators and the application's own evaluators; never participants or tutors."""
        return self.coordinates(application.call.programme_id) or application.pk in self.evaluated_application_ids


def viewer(context) -> Viewer:
    # The context dict is shared by a list serializer and its rows.
    if "viewer" not in context:
        context["viewer"] = Viewer(context["request"].user)
    return context["viewer"]


def choice_list(choices, **kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), **kwargs)


class ProgrammeSerializer(ModelSerializer):
    target_areas = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "code",
            "action",
            "fund",
            "cup",
            "budget",
            "starts_on",
            "ends_on",
            "target_areas",
            "managing_body",
            "last_payment_on",
        ]

    def validate(self, attrs):
        if attrs["ends_on"] < attrs["starts_on"]:
            # Also a database rule; checked here so that the error names the field.
            raise serializers.ValidationError({"ends_on": _("The end must not be before the start.")})
        return attrs


class PersonSerializer(ModelSerializer):
    """The full record: only ever served to the programme's coordinators and to the
    person themself (``access`` rule on Person)."""

    programme = VisibleRelatedField(queryset=Programme.objects.all())
    # The service normalises (strip, upper case) and validates the check character.
    tax_code = serializers.CharField(max_length=20)

    class Meta:
        model = Person
        fields = [
            "id",
            "programme",
            "first_name",
            "last_name",
            "tax_code",
            "email",
            "phone",
            "user",
            "anonymised_at",
            "created_at",
        ]
        read_only_fields = ["user", "anonymised_at", "created_at"]
        # Uniqueness of the tax code per programme is checked by the service.
        validators = []


class PersonUpdateSerializer(PersonSerializer):
    programme = serializers.PrimaryKeyRelatedField(read_only=True)


class TeamMemberSerializer(ModelSerializer):
    """Name and role only; the person's id only to those who may open the person."""

    omitted_for_some_readers = ("person",)

    name = serializers.SerializerMethodField()

    class Meta:
        model = TeamMember
        fields = ["person", "name", "role", "joined_on", "left_on"]
        read_only_fields = fields

    def get_name(self, member: TeamMember) -> str:
        return f"{member.person.first_name} {member.person.last_name}"

    def to_representation(self, member):
        data = super().to_representation(member)
        if not viewer(self.context).coordinates(member.venture.programme_id):
            del data["person"]
        return data


class LegalFormChangeSerializer(ModelSerializer):
    class Meta:
        model = LegalFormChange
        fields = ["id", "legal_form", "effective_on", "registration_number", "note"]


class VentureSerializer(ModelSerializer):
    themes = choice_list(Theme.choices, required=False)
    team = TeamMemberSerializer(many=True, read_only=True)
    legal_forms = LegalFormChangeSerializer(many=True, read_only=True)
    legal_form = serializers.SerializerMethodField()

    class Meta:
        model = Venture
        fields = [
            "id",
            "programme",
            "title",
            "summary",
            "social_need",
            "themes",
            "target_area",
            "applicant_kind",
            "legal_form",
            "team",
            "legal_forms",
            "created_at",
        ]
        read_only_fields = ["programme", "created_at"]

    @extend_schema_field(serializers.ChoiceField(choices=LegalForm.choices, allow_null=True))
    def get_legal_form(self, venture: Venture) -> str | None:
        # The history is prefetched in date order: the current form is the last one in
        # force; a change dated in the future takes effect on its date.
        today = timezone.localdate()
        forms = [change for change in venture.legal_forms.all() if change.effective_on <= today]
        return forms[-1].legal_form if forms else None


class TeamMemberInputSerializer(Serializer):
    person = VisibleRelatedField(queryset=Person.objects.all())
    role = serializers.ChoiceField(choices=TeamMember.TeamRole.choices, default=TeamMember.TeamRole.MEMBER)


class TeamMemberAddSerializer(TeamMemberInputSerializer):
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)


class TeamMemberChangeSerializer(Serializer):
    person = serializers.IntegerField(help_text=_("The member to change (a person in this venture's team)."))
    role = serializers.ChoiceField(choices=TeamMember.TeamRole.choices, required=False)
    joined_on = serializers.DateField(required=False, allow_null=True)
    left_on = serializers.DateField(required=False, allow_null=True, help_text=_("The day the person left the team."))


class VentureCreateSerializer(ModelSerializer):
    programme = VisibleRelatedField(queryset=Programme.objects.all())
    themes = choice_list(Theme.choices, required=False)
    team = TeamMemberInputSerializer(many=True, required=False)
    legal_form = serializers.ChoiceField(choices=LegalForm.choices, default=LegalForm.INFORMAL_GROUP)
    legal_form_since = serializers.DateField(required=False, allow_null=True, default=None)

    class Meta:
        model = Venture
        fields = [
            "programme",
            "title",
            "summary",
            "social_need",
            "themes",
            "target_area",
            "applicant_kind",
            "team",
            "legal_form",
            "legal_form_since",
        ]

    def validate_team(self, value):
        people = [member["person"].pk for member in value]
        if len(set(people)) != len(people):
            raise serializers.ValidationError(_("A person can be in the team only once."))
        return value


class LegalFormInputSerializer(ModelSerializer):
    class Meta:
        model = LegalFormChange
        fields = ["legal_form", "effective_on", "registration_number", "note"]
        validators = []


class ReasonSerializer(Serializer):
    reason = serializers.CharField()
