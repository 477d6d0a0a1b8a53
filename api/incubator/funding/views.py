"""Funding endpoints: ``grants`` (with ``tranches``, ``expense-reports`` and ``expenses``
beneath), ``de-minimis``, ``campaigns`` (with the crowdfunding track) and
``matching-rules``. Querysets start from ``incubator.access.visible`` (others answer
404); every write calls a service in ``incubator.funding.services``."""

import mimetypes
import os
from decimal import Decimal

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from api import idempotency
from api.base import ScopedMixin
from api.incubator.funding import serializers as s
from api.incubator.funding.filters import (
    CampaignFilter,
    DeMinimisAidFilter,
    ExpenseItemFilter,
    GrantFilter,
    TrancheFilter,
)
from api.schema import file_responses
from incubator import access
from incubator.funding import services
from incubator.funding.expenses import DOCUMENT_UPLOADS
from incubator.funding.models import (
    CrowdfundingCampaign,
    DeMinimisAid,
    ExpenseItem,
    ExpenseReport,
    Grant,
    MatchingRule,
    Tranche,
)
from incubator.funding.selectors import (
    budget_vs_actual,
    crowdfunding_track,
    de_minimis_aid_in_window,
    de_minimis_position,
    normalise_undertaking,
    with_totals,
)
from incubator.models import Programme
from incubator.selection.models import Application

DE_MINIMIS_UNDERTAKING = "[A-Za-z0-9]{11,16}"


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _Base(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _read(self, instance, status_code=status.HTTP_200_OK) -> Response:
        """The record as the list shows it (re-read through the scoped, annotated queryset)."""
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)


# --- grants ------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=s.GrantProposeSerializer, responses={201: s.GrantSerializer}, parameters=[idempotency.PARAMETER]
    ),
    partial_update=extend_schema(request=s.GrantUpdateSerializer, responses=s.GrantSerializer),
)
class GrantViewSet(_Base, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Grants: coordinators propose and move them along; a participant sees their own
    venture's (without internal notes)."""

    queryset = with_totals(
        Grant.objects.select_related("venture").prefetch_related(
            Prefetch("de_minimis_aid", queryset=DeMinimisAid.objects.order_by("pk"))
        )
    )
    serializer_class = s.GrantSerializer
    filterset_class = GrantFilter
    ordering_fields = ["created_at", "amount", "state", "decided_on"]

    def create(self, request, *args, **kwargs):
        data = _valid(s.GrantProposeSerializer, request)
        return idempotency.create_once(
            request, "grant", lambda: services.grant_propose(actor=request.user, **data), self._read
        )

    def partial_update(self, request, *args, **kwargs):
        grant = self.get_object()
        data = _valid(s.GrantUpdateSerializer, request, partial=True)
        services.grant_update(actor=request.user, grant=grant, **data)
        return self._read(grant)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _transition(self, request, service, serializer_class=None, **renamed):
        grant = self.get_object()
        data = _valid(serializer_class, request) if serializer_class else {}
        for old, new in renamed.items():
            if old in data:
                data[new] = data.pop(old)
        service(actor=request.user, grant=grant, **data)
        return self._read(grant)

    @extend_schema(request=s.GrantAwardSerializer, responses=s.GrantSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        return self._transition(request, services.grant_award, s.GrantAwardSerializer)

    @extend_schema(request=s.GrantContractSerializer, responses=s.GrantSerializer)
    @action(detail=True, methods=["post"], url_path="sign-contract")
    def sign_contract(self, request, pk=None):
        return self._transition(request, services.grant_sign_contract, s.GrantContractSerializer)

    @extend_schema(request=None, responses=s.GrantSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, services.grant_start)

    @extend_schema(request=s.GrantCloseSerializer, responses=s.GrantSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(request, services.grant_close, s.GrantCloseSerializer)

    @extend_schema(request=s.GrantRevokeSerializer, responses=s.GrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._transition(request, services.grant_revoke, s.GrantRevokeSerializer)

    @extend_schema(request=None, responses=s.EligibilitySerializer)
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """The problems that would stop the grant at its next stage (award or contract)."""
        grant = self.get_object()
        services.require_coordinator(request.user, grant.venture.programme_id)
        stage = services.next_stage(grant)
        problems = services.grant_eligibility(grant=grant, stage=stage)
        payload = {"stage": stage, "eligible": not problems, "problems": [p.__dict__ for p in problems]}
        return Response(s.EligibilitySerializer(payload).data)

    @extend_schema(methods=["get"], request=None, responses=s.BudgetRowSerializer(many=True))
    @extend_schema(methods=["post"], request=s.BudgetSerializer, responses=s.BudgetRowSerializer(many=True))
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def budget(self, request, pk=None):
        """Budget against accepted and pending spending per category; POST replaces the budget."""
        grant = self.get_object()
        if request.method == "POST":
            data = _valid(s.BudgetSerializer, request)
            services.grant_set_budget(actor=request.user, grant=grant, lines=data["lines"])
        return Response(s.BudgetRowSerializer(budget_vs_actual(grant), many=True).data)


class _UnderGrant(_Base):
    """Records beneath ``grants/{grant_pk}/``: a grant out of reach answers 404 before
    anything else, for every method."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.grant = access.get_visible(
            request.user, Grant.objects.select_related("venture"), pk=kwargs.get("grant_pk")
        )

    def get_queryset(self):
        return super().get_queryset().filter(grant_id=self.kwargs.get("grant_pk"))


@extend_schema_view(
    create=extend_schema(
        request=s.TrancheRequestSerializer, responses={201: s.TrancheSerializer}, parameters=[idempotency.PARAMETER]
    )
)
class TrancheViewSet(_UnderGrant, mixins.CreateModelMixin):
    """Tranches of a grant: the beneficiary or a coordinator requests, a coordinator pays."""

    queryset = Tranche.objects.all()
    serializer_class = s.TrancheSerializer
    filterset_class = TrancheFilter
    ordering_fields = ["requested_at", "amount"]

    def create(self, request, *args, **kwargs):
        data = _valid(s.TrancheRequestSerializer, request)
        return idempotency.create_once(
            request,
            f"grant-{self.grant.pk}-tranche",
            lambda: services.tranche_request(actor=request.user, grant=self.grant, **data),
            self._read,
        )

    @extend_schema(request=s.TranchePaySerializer, responses=s.TrancheSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, grant_pk=None, pk=None):
        tranche = self.get_object()
        services.tranche_pay(actor=request.user, tranche=tranche, **_valid(s.TranchePaySerializer, request))
        return self._read(tranche)

    @extend_schema(request=s.FundingReasonSerializer, responses=s.TrancheSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, grant_pk=None, pk=None):
        tranche = self.get_object()
        services.tranche_cancel(actor=request.user, tranche=tranche, **_valid(s.FundingReasonSerializer, request))
        return self._read(tranche)


@extend_schema_view(
    create=extend_schema(
        request=s.ExpenseReportCreateSerializer,
        responses={201: s.ExpenseReportSerializer},
        parameters=[idempotency.PARAMETER],
    )
)
class ExpenseReportViewSet(_UnderGrant, mixins.CreateModelMixin):
    queryset = ExpenseReport.objects.all()
    serializer_class = s.ExpenseReportSerializer
    filterset_fields = ["state", "is_final"]
    ordering_fields = ["period_start"]

    def create(self, request, *args, **kwargs):
        data = _valid(s.ExpenseReportCreateSerializer, request)
        return idempotency.create_once(
            request,
            f"grant-{self.grant.pk}-expense-report",
            lambda: services.expense_report_create(actor=request.user, grant=self.grant, **data),
            self._read,
        )

    @extend_schema(request=None, responses=s.ExpenseReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, grant_pk=None, pk=None):
        report = self.get_object()
        services.expense_report_submit(actor=request.user, report=report)
        return self._read(report)


@extend_schema_view(
    # Multipart only: an item needs its document, which a JSON body cannot carry.
    create=extend_schema(
        request={"multipart/form-data": s.ExpenseItemCreateSerializer},
        responses={201: s.ExpenseItemSerializer},
        parameters=[idempotency.PARAMETER],
    )
)
class ExpenseItemViewSet(_UnderGrant, mixins.CreateModelMixin):
    """Expense items (multipart upload with the document); coordinators review each."""

    queryset = ExpenseItem.objects.all()
    serializer_class = s.ExpenseItemSerializer
    filterset_class = ExpenseItemFilter
    ordering_fields = ["invoice_date", "amount", "created_at"]
    parser_classes = [MultiPartParser, JSONParser]

    def create(self, request, *args, **kwargs):
        data = _valid(s.ExpenseItemCreateSerializer, request)
        report = self.grant.expense_reports.filter(pk=data.pop("report")).first()
        if report is None:
            raise ValidationError({"report": [_("This grant has no such expense report.")]})
        return idempotency.create_once(
            request,
            f"grant-{self.grant.pk}-expense-item",
            lambda: services.expense_item_add(actor=request.user, report=report, **data),
            self._read,
        )

    @extend_schema(request=s.ExpenseReviewSerializer, responses=s.ExpenseItemSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def review(self, request, grant_pk=None, pk=None):
        item = self.get_object()
        services.expense_item_review(actor=request.user, item=item, **_valid(s.ExpenseReviewSerializer, request))
        return self._read(item)

    @extend_schema(request=None, responses=file_responses(DOCUMENT_UPLOADS.kinds))
    @action(detail=True, methods=["get"])
    def document(self, request, grant_pk=None, pk=None):
        """The invoice or receipt, to whoever may see the item (never from a public URL)."""
        item = self.get_object()
        if not item.document:
            raise Http404()
        name = os.path.basename(item.document.name)
        try:
            handle = item.document.open("rb")
        except FileNotFoundError:
            raise Http404() from None
        response = FileResponse(handle, as_attachment=True, filename=name)
        response["Content-Type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- de minimis --------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.DeMinimisDeclareSerializer, responses={201: s.DeMinimisAidSerializer}),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "undertaking",
                str,
                OpenApiParameter.PATH,
                description="Tax code or VAT number",
                pattern=f"^{DE_MINIMIS_UNDERTAKING}$",
            ),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Reference date (default today)"),
        ],
        responses=s.DeMinimisPositionSerializer,
    ),
)
class DeMinimisViewSet(_Base, mixins.CreateModelMixin):
    """The de minimis register: the list is the aid rows you may see; POST declares other
    aid; ``de-minimis/{undertaking}`` answers the rolling three-year total and headroom."""

    queryset = DeMinimisAid.objects.all()
    serializer_class = s.DeMinimisAidSerializer
    filterset_class = DeMinimisAidFilter
    ordering_fields = ["granted_on", "amount"]
    lookup_field = "undertaking"
    lookup_value_regex = DE_MINIMIS_UNDERTAKING

    def create(self, request, *args, **kwargs):
        data = _valid(s.DeMinimisDeclareSerializer, request)
        aid = services.de_minimis_declare(actor=request.user, **data)
        return self._read(aid, status.HTTP_201_CREATED)

    def retrieve(self, request, undertaking=None):
        undertaking = normalise_undertaking(undertaking)
        on = timezone.localdate()
        if request.query_params.get("on"):
            on = parse_date(request.query_params["on"])
            if on is None:
                raise ValidationError({"on": [_("Give a date as YYYY-MM-DD.")]})
        # Known to the user through an aid row or a grant they may see; else 404.
        known = self.get_queryset().filter(undertaking=undertaking).exists() or (
            access.visible(request.user, Grant).filter(undertaking=undertaking).exists()
        )
        if not known:
            raise Http404()
        position = de_minimis_position(undertaking, on)
        rows = list(self.get_queryset().filter(pk__in=de_minimis_aid_in_window(undertaking, on).values("pk")))
        seen = sum((row.amount for row in rows), start=Decimal(0))
        payload = {**position.__dict__, "recorded_elsewhere": position.total - seen, "aid": rows}
        return Response(s.DeMinimisPositionSerializer(payload, context={"request": request}).data)


# --- crowdfunding ------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.CampaignCreateSerializer, responses={201: s.CampaignSerializer}),
    partial_update=extend_schema(request=s.CampaignWriteSerializer, responses=s.CampaignSerializer),
)
class CampaignViewSet(_Base, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Civic crowdfunding campaigns: coordinators manage them; a participant sees their
    own venture's. ``campaigns/track`` lists the ideas referred to crowdfunding."""

    queryset = CrowdfundingCampaign.objects.select_related("venture")
    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["starts_on", "raised", "state"]

    def get_serializer_class(self):
        if self.action == "track":
            return s.CrowdfundingTrackSerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        data = _valid(s.CampaignCreateSerializer, request)
        campaign = services.campaign_create(actor=request.user, **data)
        return self._read(campaign, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        campaign = self.get_object()
        data = _valid(s.CampaignWriteSerializer, request, partial=True)
        services.campaign_update(actor=request.user, campaign=campaign, **data)
        return self._read(campaign)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        campaign = self.get_object()
        services.campaign_launch(actor=request.user, campaign=campaign)
        return self._read(campaign)

    @extend_schema(request=s.CampaignProgressSerializer, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        campaign = self.get_object()
        data = _valid(s.CampaignProgressSerializer, request)
        services.campaign_record_progress(actor=request.user, campaign=campaign, **data)
        return self._read(campaign)

    @extend_schema(request=s.CampaignCloseSerializer, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        campaign = self.get_object()
        services.campaign_close(actor=request.user, campaign=campaign, **_valid(s.CampaignCloseSerializer, request))
        return self._read(campaign)

    @extend_schema(request=None, responses=s.CrowdfundingTrackSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], filterset_class=None, ordering_fields=[])
    def track(self, request):
        """Ideas rejected or waitlisted at selection and referred to crowdfunding
        tutoring, with their latest campaign (coordinators; a participant sees their own)."""
        rows = crowdfunding_track(access.visible(request.user, Application))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.CrowdfundingTrackSerializer(page, many=True).data)


@extend_schema_view(
    create=extend_schema(request=s.MatchingRuleSetSerializer, responses={201: s.MatchingRuleSerializer})
)
class MatchingRuleViewSet(_Base, mixins.CreateModelMixin):
    """The programme's crowdfunding matching rule; POST sets (or replaces) it."""

    queryset = MatchingRule.objects.order_by("programme")
    serializer_class = s.MatchingRuleSerializer
    filterset_fields = ["programme"]

    def create(self, request, *args, **kwargs):
        data = _valid(s.MatchingRuleSetSerializer, request)
        programme = access.visible(request.user, Programme).filter(pk=data.pop("programme")).first()
        if programme is None:
            raise ValidationError({"programme": [_("No such programme.")]})
        rule = services.matching_rule_set(actor=request.user, programme=programme, **data)
        return self._read(rule, status.HTTP_201_CREATED)
