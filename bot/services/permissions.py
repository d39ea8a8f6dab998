"""Who may do what: one table of role × action, read by every use case (`Actor.require`), the menu
(`Actor.may`) and the authorization test (every cell).

A unit-scoped action needs a role that grants it in that unit, or a campaign-wide role (reviewer,
coordinator, admin: held with no unit) that grants it. Any other action needs a role that grants it,
wherever that role is held. The CLI acts as `SYSTEM` (bot.services.access), whose row is `system`.

The check runs on every update of the focal point's path: a dict lookup and a frozenset membership
test per role the person holds, no query.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ANSWER = "answer"  # the unit's self-assessment: answers, evidence, summary, submit
    UNIT_REPORT = "unit_report"  # the unit's self-assessment report (Word)
    VIEW_RESULTS = "view_results"  # the unit's rank, weakest items, overview, charts
    DIGEST = "digest"  # the weekly digest of one's units, on or off
    DEADLINE = "deadline"  # the deadline of one's period
    REVIEW = "review"  # the review queue and its decisions
    VIEW_PROGRESS = "view_progress"  # every unit's completion in the open period
    BROADCAST = "broadcast"  # messages to focal points, units behind, a cohort or the leaders
    SET_REMINDERS = "set_reminders"  # when the bot reminds units that are behind
    EXPORT = "export"  # every answer and evidence file of a period
    MANAGE_PEOPLE = "manage_people"  # who holds which role; remove roles, revoke invitations
    INVITE = "invite"  # issue invitations
    IMPORT_UNITS = "import_units"  # create and update units from a sheet
    PUBLISH_FRAMEWORK = "publish_framework"  # check and publish a framework workbook
    MANAGE_PERIODS = "manage_periods"  # open, publish, close periods; deadlines; official results
    CAMPAIGN_REPORT = "campaign_report"  # the campaign report (Word): every cohort's ranking
    APPROVE = "approve"  # the unit leader approves the unit's self-assessment or returns it
    OBJECT = "object"  # the unit objects ("kiến nghị") to an item's provisional points
    MOVE_PHASE = "move_phase"  # move the period through its phases (appraisal, provisional, final; reopen)
    ASSIGN_APPRAISERS = "assign_appraisers"  # which appraiser appraises which indices (and cohorts)
    COUNCIL = "council"  # the council chair: appraisal progress, close the appraisal, answer objections
    ENTER_VALUES = "enter_values"  # values another agency provides (external items), per unit


UNIT_SCOPED: frozenset[Action] = frozenset(
    {Action.ANSWER, Action.UNIT_REPORT, Action.VIEW_RESULTS, Action.APPROVE, Action.OBJECT}
)

_COORDINATING = frozenset(
    {
        Action.REVIEW,
        Action.VIEW_PROGRESS,
        Action.BROADCAST,
        Action.SET_REMINDERS,
        Action.CAMPAIGN_REPORT,
        Action.MOVE_PHASE,
        Action.ASSIGN_APPRAISERS,
        Action.COUNCIL,
        Action.ENTER_VALUES,
    }
)
_ADMINISTERING = frozenset(
    {
        Action.EXPORT,
        Action.MANAGE_PEOPLE,
        Action.INVITE,
        Action.IMPORT_UNITS,
        Action.PUBLISH_FRAMEWORK,
    }
)

PERMISSIONS: dict[str, frozenset[Action]] = {
    "focal_point": frozenset({Action.ANSWER, Action.UNIT_REPORT, Action.VIEW_RESULTS, Action.DEADLINE, Action.OBJECT}),
    "leader": frozenset(
        {Action.UNIT_REPORT, Action.VIEW_RESULTS, Action.DIGEST, Action.DEADLINE, Action.APPROVE, Action.OBJECT}
    ),
    "reviewer": frozenset({Action.REVIEW, Action.VIEW_PROGRESS, Action.DEADLINE}),
    "coordinator": _COORDINATING | {Action.DEADLINE},
    "admin": _ADMINISTERING
    | (_COORDINATING - {Action.REVIEW, Action.COUNCIL, Action.ASSIGN_APPRAISERS})
    | {Action.DEADLINE},
    # the command line on the server (`dti-bot ...`): whoever runs it owns the campaign's data
    "system": _ADMINISTERING
    | {
        Action.MANAGE_PERIODS,
        Action.SET_REMINDERS,
        Action.UNIT_REPORT,
        Action.CAMPAIGN_REPORT,
        Action.MOVE_PHASE,
        Action.ASSIGN_APPRAISERS,
        Action.ENTER_VALUES,
    },
}

NOTHING: frozenset[Action] = frozenset()


def allowed(role: str) -> frozenset[Action]:
    return PERMISSIONS.get(role, NOTHING)


def table_markdown() -> str:
    """The table as Markdown (for the docs and the closing notes): one row per action."""
    roles = list(PERMISSIONS)
    lines = [
        "| action | scope | " + " | ".join(roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for action in Action:
        scope = "unit" if action in UNIT_SCOPED else "campaign"
        cells = " | ".join("✓" if action in PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| {action.value} | {scope} | {cells} |")
    return "\n".join(lines)
