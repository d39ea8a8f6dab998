"""Start, menu and help screens. The menu shows what the permission table allows the person
(bot.services.permissions): a button per action, never a role test of its own."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, _
from bot.render.actions import menu
from bot.render.help import glance_lines, help_screen, may_here, roles_line, unknown_input_screen
from bot.render.labels import role_label
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor
from bot.services.admin.invites import Redeemed
from bot.services.campaign.glance import Glance
from bot.services.permissions import Action

__all__ = ["apology", "help_screen", "menu_actions", "menu_screen", "stranger_screen", "unknown_input_screen"]

# The menu's rows: each button with the action it needs (unit-scoped ones in the unit the person works for).
# bot.render.help names these buttons with the same labels (LABELS, by key).
MENU_ROWS: tuple[tuple[tuple[Action, str, str], ...], ...] = (
    ((Action.ANSWER, N_("📝 Self-assessment"), "assess"),),
    ((Action.ANSWER, N_("📋 All items"), "list"), (Action.ANSWER, N_("📊 Summary and submit"), "summary")),
    ((Action.UNIT_REPORT, N_("📄 Report"), "report"),),
    ((Action.APPROVE, N_("🖊 Approve the self-assessment"), "approve"),),
    ((Action.VIEW_RESULTS, N_("🏆 Ranking"), "rank"), (Action.VIEW_RESULTS, N_("📉 Weakest items"), "weakest")),
    ((Action.VIEW_RESULTS, N_("📋 Overview"), "overview"), (Action.VIEW_RESULTS, N_("📊 Charts"), "charts")),
    ((Action.OBJECT, N_("✋ Object to a result"), "objections"),),
    ((Action.REVIEW, N_("🔎 Review queue"), "review"), (Action.VIEW_PROGRESS, N_("📈 Progress"), "progress")),
    (
        (Action.COUNCIL, N_("🏛 Appraisal council"), "council"),
        (Action.ASSIGN_APPRAISERS, N_("🧭 Assign appraisers"), "appraisers"),
    ),
    (
        (Action.COUNCIL, N_("⚖️ Objections"), "council_objections"),
        (Action.ENTER_VALUES, N_("🔢 Agencies' figures"), "values"),
    ),
    ((Action.BROADCAST, N_("📣 Send a message"), "broadcast"), (Action.SET_REMINDERS, N_("⏰ Reminders"), "reminders")),
    ((Action.MOVE_PHASE, N_("🗓 Phases"), "phase"),),
    ((Action.EXPORT, N_("📦 Export data"), "export"), (Action.MANAGE_PEOPLE, N_("👥 People"), "people")),
    (
        (Action.IMPORT_UNITS, N_("📥 Import units"), "import_units"),
        (Action.INVITE, N_("✉️ Invite people"), "import_invites"),
    ),
    ((Action.PUBLISH_FRAMEWORK, N_("📚 Publish a framework"), "frameworks"),),
    ((Action.DIGEST, N_("🔔 Weekly digest on/off"), "digest"),),
)


def stranger_screen() -> Screen:
    return Screen(
        _(
            "Hello! This bot collects the Digital Transformation Index (DTI) self-assessment of the province's "
            "units. Only invited people can use it: ask your coordinator for an invitation link and open it on "
            "this phone."
        )
    )


def welcome_screen(redeemed: Redeemed, actor: Actor, glance: Glance | None = None) -> Screen:
    place = escape(redeemed.unit_name) if redeemed.unit_name else _("the whole campaign")
    if redeemed.already_member:
        text = _("You are already registered as {role} of {place}.")
    else:
        text = _("Welcome! You are now registered as {role} of {place}.")
    first = text.format(role=role_label(redeemed.role), place=place)
    body = menu_screen(actor, glance)
    return Screen(f"{first}\n\n{body.text}", body.rows)


def menu_screen(actor: Actor, glance: Glance | None = None, first_name: str = "") -> Screen:
    """The person greeted by name, their unit and roles, the days left and the progress, then a button
    per action the permission table allows them."""
    name = (glance.name if glance else "") or actor.full_name or first_name
    lines = [_("<b>Main menu</b>"), _("Hello, {name}!").format(name=escape(name)) if name else _("Hello!")]
    lines.append(roles_line(actor))
    if glance is not None:
        lines += glance_lines(glance)
    buttons = [row for row in (_allowed(actor, row) for row in MENU_ROWS) if row]
    if len(actor.units()) > 1:
        buttons.append([Button(_("🔁 Change unit"), menu("units"))])
    buttons.append([Button(_("❓ Help"), menu("help"))])
    return Screen("\n".join(lines), rows(*buttons))


def menu_actions(actor: Actor) -> set[Action]:
    """The actions the person's menu offers (for the authorization test: the menu and the table agree)."""
    return {action for row in MENU_ROWS for action, _label, _key in row if may_here(actor, action)}


def _allowed(actor: Actor, row: tuple[tuple[Action, str, str], ...]) -> list[Button]:
    return [Button(_(label), menu(key)) for action, label, key in row if may_here(actor, action)]


def units_screen(actor: Actor) -> Screen:
    buttons = [
        [Button(("• " if r.unit_id == actor.active_unit_id else "") + r.unit_name, menu(f"unit:{r.unit_id}"))]
        for r in actor.units()
    ]
    return Screen(_("Choose the unit you work for:"), rows(*buttons))


def apology(error_id: str) -> str:
    return _(
        "Sorry, something went wrong on our side (error code {id}). What you sent before this is saved; "
        "please try again, and tell the coordinator the code if it happens again."
    ).format(id=error_id)
