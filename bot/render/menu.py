"""Start, menu and help screens. The menu shows what the permission table allows the person
(bot.services.permissions): a button per action, never a role test of its own."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, _
from bot.render.actions import menu
from bot.render.labels import role_label
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor, Role
from bot.services.admin.invites import Redeemed
from bot.services.permissions import UNIT_SCOPED, Action

# The menu's rows: each button with the action it needs (unit-scoped ones in the unit the person works for).
MENU_ROWS: tuple[tuple[tuple[Action, str, str], ...], ...] = (
    ((Action.ANSWER, N_("📝 Self-assessment"), "assess"),),
    ((Action.ANSWER, N_("📋 All items"), "list"), (Action.ANSWER, N_("📊 Summary and submit"), "summary")),
    ((Action.UNIT_REPORT, N_("📄 Report"), "report"),),
    ((Action.VIEW_RESULTS, N_("🏆 Ranking"), "rank"), (Action.VIEW_RESULTS, N_("📉 Weakest items"), "weakest")),
    ((Action.VIEW_RESULTS, N_("📋 Overview"), "overview"), (Action.VIEW_RESULTS, N_("📊 Charts"), "charts")),
    ((Action.REVIEW, N_("🔎 Review queue"), "review"), (Action.VIEW_PROGRESS, N_("📈 Progress"), "progress")),
    ((Action.BROADCAST, N_("📣 Send a message"), "broadcast"), (Action.SET_REMINDERS, N_("⏰ Reminders"), "reminders")),
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


def welcome_screen(redeemed: Redeemed, actor: Actor) -> Screen:
    place = escape(redeemed.unit_name) if redeemed.unit_name else _("the whole campaign")
    if redeemed.already_member:
        text = _("You are already registered as {role} of {place}.")
    else:
        text = _("Welcome! You are now registered as {role} of {place}.")
    first = text.format(role=role_label(redeemed.role), place=place)
    body = menu_screen(actor)
    return Screen(f"{first}\n\n{body.text}", body.rows)


def menu_screen(actor: Actor) -> Screen:
    unit = actor.unit
    lines = [_("<b>Main menu</b> — {name}").format(name=escape(actor.full_name or "—"))]
    if unit is not None:
        roles = sorted(actor.roles_in(unit.unit_id))
        lines.append(
            _("Unit: {unit} ({roles})").format(
                unit=escape(unit.unit_name), roles=", ".join(role_label(r) for r in roles)
            )
        )
    elif actor.needs_unit_choice:
        lines.append(_("You belong to several units: choose the one you work for now."))
    buttons = [row for row in (_allowed(actor, unit, row) for row in MENU_ROWS) if row]
    if len(actor.units()) > 1:
        buttons.append([Button(_("🔁 Change unit"), menu("units"))])
    buttons.append([Button(_("❓ Help"), menu("help"))])
    return Screen("\n".join(lines), rows(*buttons))


def menu_actions(actor: Actor) -> set[Action]:
    """The actions the person's menu offers (for the authorization test: the menu and the table agree)."""
    unit = actor.unit
    return {action for row in MENU_ROWS for action, _label, _key in row if _may(actor, unit, action)}


def _may(actor: Actor, unit: Role | None, action: Action) -> bool:
    """Unit-scoped actions in the unit the person works for (none while they have to choose one)."""
    if action in UNIT_SCOPED:
        return unit is not None and actor.may(action, unit.unit_id)
    return actor.may(action)


def _allowed(actor: Actor, unit: Role | None, row: tuple[tuple[Action, str, str], ...]) -> list[Button]:
    return [Button(_(label), menu(key)) for action, label, key in row if _may(actor, unit, action)]


def units_screen(actor: Actor) -> Screen:
    buttons = [
        [Button(("• " if r.unit_id == actor.active_unit_id else "") + r.unit_name, menu(f"unit:{r.unit_id}"))]
        for r in actor.units()
    ]
    return Screen(_("Choose the unit you work for:"), rows(*buttons))


def help_screen(actor: Actor) -> Screen:
    unit = actor.unit
    parts = [_("<b>What you can do here</b>")]
    roles = actor.roles_in(unit.unit_id if unit else None) | {r.role for r in actor.roles}
    if _may(actor, unit, Action.ANSWER):
        parts.append(
            _(
                "📝 <b>Focal point</b>: answer your unit's items one by one (/tiep continues where you stopped). "
                "Send photos or files (PDF, Word, Excel, up to 20 MB) as evidence right in the chat, paste a link, "
                "or cite a document by number, date and summary. “📋 All items” jumps anywhere; answers can be "
                "changed until the deadline; “📊 Summary and submit” sends them to the reviewers."
            )
        )
    if actor.may(Action.BROADCAST) or actor.may(Action.SET_REMINDERS):
        parts.append(
            _(
                "📣 <b>Coordinating</b>: “📣 Send a message” reaches all focal points, the units behind, a cohort "
                "or the leaders, now or tomorrow at 08:00, with a delivery report. “⏰ Reminders” sets when the "
                "bot reminds units that are behind: days before the deadline, how often when overdue, sending "
                "days and hours."
            )
        )
    if roles & {"leader", "reviewer", "coordinator", "admin"}:
        parts.append(
            _(
                "Your other roles: {roles}. Their tools appear in the menu as they are enabled for this campaign."
            ).format(roles=", ".join(role_label(r) for r in sorted(roles - {"focal_point"})))
        )
    parts.append(_("Commands: /menu — main menu, /tiep — continue, /help — this help."))
    return Screen("\n\n".join(parts), rows([Button(_("🏠 Main menu"), menu("menu"))]))


def unknown_input_screen() -> Screen:
    return Screen(
        _(
            "I did not understand that. Use the buttons, or: /tiep — continue the self-assessment, /menu — main "
            "menu, /help — help."
        ),
        rows([Button(_("🏠 Main menu"), menu("menu"))]),
    )


def apology(error_id: str) -> str:
    return _(
        "Sorry, something went wrong on our side (error code {id}). What you sent before this is saved; "
        "please try again, and tell the coordinator the code if it happens again."
    ).format(id=error_id)
