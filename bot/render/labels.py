"""Vietnamese labels of stored codes: roles, period states, answer statuses, actions."""

from __future__ import annotations

from bot.i18n import _


def role_label(role: str) -> str:
    return {
        "focal_point": _("focal point"),
        "leader": _("leader"),
        "reviewer": _("reviewer"),
        "coordinator": _("coordinator"),
        "admin": _("administrator"),
    }.get(role, role)


def period_state_label(state: str) -> str:
    return {
        "draft": _("draft"),
        "open": _("open"),
        "locked": _("locked"),
        "published": _("published"),
    }.get(state, state)


def period_action_label(action: str) -> str:
    return {
        "lock": _("lock"),
        "unlock": _("unlock"),
        "publish": _("publish"),
        "unpublish": _("take back the published results"),
        "deadline": _("change the deadline"),
    }.get(action, action)


def answer_status_label(status: str) -> str:
    return {
        "draft": _("not submitted"),
        "submitted": _("submitted"),
        "needs_supplement": _("sent back for supplement"),
        "accepted": _("accepted"),
    }.get(status, status)
