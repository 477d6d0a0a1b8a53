"""Every write of the funding domain, gathered from ``incubator.funding``: grants and
their life cycle, budget, tranches, expense reports and their review, the de minimis
register, crowdfunding campaigns and the programme's matching rule. Keyword-only
functions taking an ``actor``; each checks the actor, validates (a ``DomainError``
naming the field), writes atomically, locks the rows two people may change at once, and
records an audit event. Importing this module registers the built-in grant eligibility
checks (``incubator.funding.eligibility``)."""

from incubator.funding.common import money, percentage, require_coordinator
from incubator.funding.crowdfunding import (
    campaign_close,
    campaign_create,
    campaign_launch,
    campaign_record_progress,
    campaign_update,
    matched_amount,
    matching_rule_set,
)
from incubator.funding.expenses import (
    expense_item_add,
    expense_item_review,
    expense_report_create,
    expense_report_submit,
    validate_document,
)
from incubator.funding.grants import (
    GRANT_TRANSITIONS,
    de_minimis_declare,
    de_minimis_vary,
    de_minimis_withdraw,
    grant_award,
    grant_close,
    grant_eligibility,
    grant_propose,
    grant_revoke,
    grant_set_budget,
    grant_sign_contract,
    grant_start,
    grant_update,
    legal_form_on,
    next_stage,
)
from incubator.funding.measures import call_budget_set, measure_create, measure_update
from incubator.funding.tranches import tranche_cancel, tranche_pay, tranche_request

__all__ = [
    "GRANT_TRANSITIONS",
    "campaign_close",
    "campaign_create",
    "campaign_launch",
    "campaign_record_progress",
    "campaign_update",
    "call_budget_set",
    "de_minimis_declare",
    "de_minimis_vary",
    "de_minimis_withdraw",
    "expense_item_add",
    "expense_item_review",
    "expense_report_create",
    "expense_report_submit",
    "grant_award",
    "grant_close",
    "grant_eligibility",
    "grant_propose",
    "grant_revoke",
    "grant_set_budget",
    "grant_sign_contract",
    "grant_start",
    "grant_update",
    "legal_form_on",
    "matched_amount",
    "measure_create",
    "measure_update",
    "matching_rule_set",
    "money",
    "next_stage",
    "percentage",
    "require_coordinator",
    "tranche_cancel",
    "tranche_pay",
    "tranche_request",
    "validate_document",
]
