"""API of participants' ESF+ entry data and results, venture outcomes, training unit
costs and the sensitive-data read log.

Entry data and results start from ``access_participants.visible_sensitive`` (the
programme's coordinators and the person; not a superuser as such), so anyone else gets
404. Every response that carries entry data logs one ``SensitiveDataRead`` per person in
it (one insert per request). Writes call ``incubator.participants.services``."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from api.base import ScopedReadOnlyViewSet
from api.incubator.participants import filters
from api.incubator.participants import serializers as s
from incubator.participants import services
from incubator.participants.access import visible_sensitive
from incubator.participants.models import (
    ParticipantEntryData,
    ParticipantResult,
    ReadChannel,
    SensitiveDataRead,
    TrainingUnitCost,
    VentureOutcome,
)


class _ServiceWrites:
    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def answer(self, instance, status_code=status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)


class EntryDataViewSet(_ServiceWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """ESF+ entry data (Annex I, Reg. (EU) 2021/1057) of a programme's participants.
    Coordinators record and correct it; the person reads their own. Every read is logged."""

    queryset = ParticipantEntryData.objects.select_related("person")
    serializer_class = s.EntryDataSerializer
    filterset_class = filters.EntryDataFilter
    ordering_fields = ["entered_on", "id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return visible_sensitive(self.request.user, super().get_queryset())

    def _log(self, entries, detail: str) -> None:
        services.entry_data_log_reads(
            reader=self.request.user,
            people=[(entry.person_id, entry.person.programme_id) for entry in entries],
            channel=ReadChannel.API,
            detail=detail,
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self._log(rows, request.get_full_path())
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        entry = self.get_object()
        self._log([entry], request.get_full_path())
        return Response(self.get_serializer(entry).data)

    def answer(self, instance, status_code=status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        self._log([instance], self.request.get_full_path())
        return Response(self.get_serializer(instance).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = self.validated(s.EntryDataSerializer)
        entry = services.entry_data_create(actor=request.user, person=data.pop("person"), **data)
        return self.answer(entry, status.HTTP_201_CREATED)

    @extend_schema(request=s.EntryDataUpdateSerializer)
    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        data = self.validated(s.EntryDataUpdateSerializer)
        entry = services.entry_data_update(actor=request.user, entry=entry, **data)
        return self.answer(entry)


class ResultViewSet(_ServiceWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Results at exit and six months after leaving (ESF+ result indicators), with their
    source. A POST records or corrects the result of one person, enrolment and moment."""

    queryset = ParticipantResult.objects.all()
    serializer_class = s.ResultSerializer
    filterset_class = filters.ResultFilter
    ordering_fields = ["observed_on", "id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return visible_sensitive(self.request.user, super().get_queryset())

    @extend_schema(request=s.ResultInputSerializer, responses=s.ResultSerializer)
    def create(self, request, *args, **kwargs):
        data = self.validated(s.ResultInputSerializer)
        indicators = {
            name: data.pop(name)
            for name in ("job_searching", "in_education", "qualification_gained", "employed", "better_situation")
            if name in data
        }
        existed = ParticipantResult.objects.filter(
            person=data["person"], enrolment=data["enrolment"], timing=data["timing"]
        ).exists()
        result = services.result_record(actor=request.user, **data, **indicators)
        return self.answer(result, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class VentureOutcomeViewSet(_ServiceWrites, ScopedReadOnlyViewSet):
    """What each enrolled venture has become: jobs created by gender, revenue, other funds
    raised. Coordinators record; the venture's team reads its own."""

    queryset = VentureOutcome.objects.select_related("enrolment__application")
    serializer_class = s.VentureOutcomeSerializer
    filterset_class = filters.VentureOutcomeFilter
    ordering_fields = ["observed_on", "id"]
    ordering = ["id"]

    @extend_schema(request=s.VentureOutcomeInputSerializer, responses=s.VentureOutcomeSerializer)
    def create(self, request, *args, **kwargs):
        data = self.validated(s.VentureOutcomeInputSerializer)
        enrolment = data.pop("enrolment")
        existed = VentureOutcome.objects.filter(enrolment=enrolment).exists()
        outcome = services.venture_outcome_record(actor=request.user, enrolment=enrolment, **data)
        return self.answer(outcome, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class TrainingUnitCostViewSet(_ServiceWrites, ScopedReadOnlyViewSet):
    """A programme's training unit costs (per course hour, per participant-hour), which
    value the training in the cohort report. Coordinators set them with a POST."""

    queryset = TrainingUnitCost.objects.all()
    serializer_class = s.TrainingUnitCostSerializer
    ordering = ["programme"]

    @extend_schema(request=s.TrainingUnitCostInputSerializer, responses=s.TrainingUnitCostSerializer)
    def create(self, request, *args, **kwargs):
        data = self.validated(s.TrainingUnitCostInputSerializer)
        existed = TrainingUnitCost.objects.filter(programme=data["programme"]).exists()
        cost = services.training_unit_cost_set(actor=request.user, **data)
        return self.answer(cost, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class SensitiveDataReadViewSet(ScopedReadOnlyViewSet):
    """Who read which person's entry data, when and through what (coordinators)."""

    queryset = SensitiveDataRead.objects.all()
    serializer_class = s.SensitiveDataReadSerializer
    filterset_class = filters.SensitiveDataReadFilter
    ordering = ["-at", "-id"]
