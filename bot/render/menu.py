"""Start, menu and help screens, per role."""

from __future__ import annotations

from html import escape

from bot.i18n import _
from bot.render.actions import menu
from bot.render.labels import role_label
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor
from bot.services.admin.invites import Redeemed


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
    buttons: list[list[Button]] = []
    if unit is not None and actor.has("focal_point", unit.unit_id):
        buttons += [
            [Button(_("📝 Self-assessment"), menu("assess"))],
            [Button(_("📋 All items"), menu("list")), Button(_("📊 Summary and submit"), menu("summary"))],
        ]
    if unit is not None and (actor.has("focal_point", unit.unit_id) or actor.has("leader", unit.unit_id)):
        buttons.append([Button(_("📄 Report"), menu("report"))])
    if unit is not None and actor.has("leader", unit.unit_id):
        buttons += [
            [Button(_("🏆 Ranking"), menu("rank")), Button(_("📉 Weakest items"), menu("weakest"))],
            [Button(_("📋 Overview"), menu("overview")), Button(_("📊 Charts"), menu("charts"))],
        ]
    if any(r.role in ("reviewer", "coordinator") for r in actor.roles):
        buttons.append([Button(_("🔎 Review queue"), menu("review")), Button(_("📈 Progress"), menu("progress"))])
    if any(r.role in ("coordinator", "admin") for r in actor.roles):
        buttons.append(
            [Button(_("📣 Send a message"), menu("broadcast")), Button(_("⏰ Reminders"), menu("reminders"))]
        )
    if any(r.role == "admin" for r in actor.roles):
        buttons.append([Button(_("📦 Export data"), menu("export")), Button(_("👥 People"), menu("people"))])
        buttons.append(
            [Button(_("📥 Import units"), menu("import_units")), Button(_("✉️ Invite people"), menu("import_invites"))]
        )
        buttons.append([Button(_("📚 Publish a framework"), menu("frameworks"))])
    if any(r.role == "leader" for r in actor.roles):
        buttons.append([Button(_("🔔 Weekly digest on/off"), menu("digest"))])
    if len(actor.units()) > 1:
        buttons.append([Button(_("🔁 Change unit"), menu("units"))])
    buttons.append([Button(_("❓ Help"), menu("help"))])
    return Screen("\n".join(lines), rows(*buttons))


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
    if "focal_point" in roles:
        parts.append(
            _(
                "📝 <b>Focal point</b>: answer your unit's items one by one (/tiep continues where you stopped). "
                "Send photos or files (PDF, Word, Excel, up to 20 MB) as evidence right in the chat, paste a link, "
                "or cite a document by number, date and summary. “📋 All items” jumps anywhere; answers can be "
                "changed until the deadline; “📊 Summary and submit” sends them to the reviewers."
            )
        )
    if roles & {"coordinator", "admin"}:
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
