"""Measures and budgets: ``measures`` (list with the figures of ``incubator.funding.budget``,
create and change through ``incubator.funding.services``), ``calls/{id}/budget-split``
is set with ``measures/split/``, and ``programme-budgets/{programme}/`` (by measure, by
fund, in total) with ``monitoring/`` (the managing authority's CSV files, zipped).
Coordinators of the programme and administrators; anyone else gets 404."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedMixin, VisibleRelatedField
from api.representation import ModelSerializer, Serializer
from cohorts.reports import monitoring
from incubator import access
from incubator.funding import services
from incubator.funding.budget import CENT, programme_budget, with_figures
from incubator.funding.models import CallBudget
from incubator.models import Fund, Measure, Programme
from incubator.selection.models import Call


def Money(**kwargs) -> serializers.DecimalField:  # noqa: N802 - reads like a field class
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


class MeasureSerializer(ModelSerializer):
    allocated = Money(read_only=True, help_text=_("What the calls draw on the measure."))
    committed = Money(read_only=True, help_text=_("Grants awarded, plus what was paid on grants later revoked."))
    paid = Money(read_only=True, help_text=_("Paid tranches."))
    available = Money(read_only=True, help_text=_("Budget minus committed."))

    class Meta:
        model = Measure
        fields = [
            "id",
            "programme",
            "code",
            "title",
            "fund",
            "action",
            "budget",
            "incubation",
            "allocated",
            "committed",
            "paid",
            "available",
        ]
        read_only_fields = fields


class MeasureCreateSerializer(Serializer):
    programme = VisibleRelatedField(queryset=Programme.objects.all())
    code = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    fund = serializers.ChoiceField(choices=Fund.choices)
    action = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    budget = Money()
    incubation = serializers.BooleanField(required=False, default=True)


class MeasureUpdateSerializer(Serializer):
    title = serializers.CharField(max_length=200, required=False)
    budget = Money(required=False)
    incubation = serializers.BooleanField(required=False)


class ShareSerializer(Serializer):
    measure = VisibleRelatedField(queryset=Measure.objects.all())
    amount = Money()


class CallSplitSerializer(Serializer):
    call = VisibleRelatedField(queryset=Call.objects.all())
    shares = ShareSerializer(many=True)


class CallBudgetSerializer(ModelSerializer):
    class Meta:
        model = CallBudget
        fields = ["id", "call", "measure", "fund", "amount"]
        read_only_fields = fields


def _with_figures(measures) -> list[Measure]:
    """Measures with ``committed`` and ``available`` set from the annotated figures."""
    rows = []
    for measure in measures:
        measure.committed = (measure.committed_grants + measure.paid_revoked).quantize(CENT)
        measure.available = measure.budget - measure.committed
        rows.append(measure)
    return rows


@extend_schema_view(
    create=extend_schema(request=MeasureCreateSerializer, responses={201: MeasureSerializer}),
    partial_update=extend_schema(request=MeasureUpdateSerializer, responses=MeasureSerializer),
)
class MeasureViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A programme's measures with their figures (one query for the page of them)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    filterset_fields = ["programme", "fund", "incubation"]
    ordering_fields = ["code", "budget"]
    ordering = ["programme", "code"]

    def get_queryset(self):
        return with_figures(super().get_queryset())

    def _answer(self, measure: Measure, code=status.HTTP_200_OK) -> Response:
        (fresh,) = _with_figures(self.get_queryset().filter(pk=measure.pk))
        return Response(MeasureSerializer(fresh).data, status=code)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(_with_figures(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    def create(self, request, *args, **kwargs):
        data = MeasureCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        measure = services.measure_create(actor=request.user, **data.validated_data)
        return self._answer(measure, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        measure = self.get_object()
        data = MeasureUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.measure_update(actor=request.user, measure=measure, **data.validated_data)
        measure.refresh_from_db()
        return self._answer(measure)

    @extend_schema(request=CallSplitSerializer, responses=CallBudgetSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="split", url_name="split", filter_backends=[])
    def split(self, request):
        """Sets a call's budget split by measure (and so by fund), replacing the previous one."""
        data = CallSplitSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        shares = {share["measure"]: share["amount"] for share in data.validated_data["shares"]}
        rows = services.call_budget_set(actor=request.user, call=data.validated_data["call"], shares=shares)
        return Response(CallBudgetSerializer(rows, many=True).data)


class TotalsSerializer(Serializer):
    label = serializers.CharField()
    budget = Money()
    allocated = Money()
    committed = Money()
    paid = Money()
    available = Money()


class ProgrammeBudgetSerializer(Serializer):
    programme = serializers.IntegerField(source="programme.pk")
    measures = MeasureSerializer(many=True)
    by_fund = TotalsSerializer(many=True)
    total = TotalsSerializer()


PROGRAMME_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The programme's id."))


class ProgrammeBudgetViewSet(viewsets.ViewSet):
    """``programme-budgets/{programme id}/``: the budget page's figures."""

    lookup_value_regex = r"\d+"

    def _programme(self, pk) -> Programme:
        programme = Programme.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if programme is None or not access.has_role(self.request.user, programme.pk, "coordinator"):
            raise Http404()
        return programme

    @extend_schema(responses=ProgrammeBudgetSerializer, parameters=[PROGRAMME_ID])
    def retrieve(self, request, pk=None):
        budget = programme_budget(self._programme(pk))
        measures = [
            {
                "id": row.measure_id,
                "programme": budget.programme,
                "code": row.code,
                "title": row.title,
                "fund": row.fund,
                "action": row.action,
                "budget": row.budget,
                "incubation": row.incubation,
                "allocated": row.allocated,
                "committed": row.committed,
                "paid": row.paid,
                "available": row.available,
            }
            for row in budget.measures
        ]
        data = {"programme": budget.programme, "measures": measures, "by_fund": budget.by_fund, "total": budget.total}
        return Response(ProgrammeBudgetSerializer(data).data)

    @extend_schema(
        parameters=[PROGRAMME_ID],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("One CSV per structure (docs/monitoring.md).")
            )
        },
    )
    @action(detail=True, methods=["get"], url_path="monitoring", url_name="monitoring")
    def monitoring(self, request, pk=None):
        """The monitoring files for the managing authority (docs/monitoring.md), zipped."""
        programme = self._programme(pk)
        response = HttpResponse(monitoring.monitoring_zip(programme, request.user), content_type="application/zip")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="monitoraggio-{programme.pk}-{stamp}.zip"'
        return response
