"""Vietnamese labels of stored codes: roles, period states, answer statuses, actions. The labels the
files people read share with the screens live in bot.wording (services may not import bot.render)."""

from __future__ import annotations

from bot.i18n import _
from bot.wording import answer_status_label, evidence_kind_label, history_action_label, role_label
from scoring.states import PeriodState

__all__ = [
    "answer_status_label",
    "evidence_kind_label",
    "history_action_label",
    "period_action_label",
    "period_state_label",
    "role_label",
]


def period_state_label(state: str) -> str:
    return {
        PeriodState.DRAFT: _("draft"),
        PeriodState.OPEN: _("in self-assessment"),
        PeriodState.LOCKED: _("in appraisal"),
        PeriodState.PROVISIONAL: _("provisional results"),
        PeriodState.PUBLISHED: _("final results published"),
    }.get(state, state)


def period_action_label(action: str) -> str:
    return {
        "lock": _("lock"),
        "unlock": _("unlock"),
        "publish": _("publish"),
        "unpublish": _("take back the published results"),
        "deadline": _("change the deadline"),
        "start": _("open the self-assessment"),
        "appraisal": _("move to appraisal"),
        "provisional": _("publish provisional results"),
        "final": _("publish final results"),
        "reopen": _("go back to the previous phase"),
        "approve": _("approve the self-assessment"),
    }.get(action, action)
