"""Administrators' people screens: who holds which role, removing a role, revoking unused
invitations; each change behind a confirmation step.

Button data (see bot.render.actions), the unit 0 meaning the campaign-wide roles:
`ppl|0|0||p:<page>` the units, `ppl|0|0||c` campaign-wide roles, `ppl|<unit>|0||` a unit's people,
`ppr|<unit>|0||<membership>` ask to remove a role, `ppx|…` removal confirmed,
`ivr|<unit>|0||` ask to revoke the unit's unused invitations, `ivx|<unit>|0||<last id shown>` confirmed.
"""

from __future__ import annotations

from html import escape

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.labels import role_label
from bot.render.numbers import vn_date
from bot.render.screen import Button, Screen, rows
from bot.services.admin.people import OpenInvite, Overview, People, RoleHolder

UNITS_PER_PAGE = 10
SHOWN_PEOPLE = 30
SHOWN_INVITES = 10


def list_action(unit_id: int | None) -> str:
    """The button data that opens a unit's people (None: the campaign-wide roles)."""
    return Action("ppl", unit_id, arg="").pack() if unit_id else Action("ppl", arg="c").pack()


def units_action(page: int = 0) -> str:
    return Action("ppl", arg=f"p:{page}").pack()


def place(unit_name: str) -> str:
    return escape(unit_name) if unit_name else _("campaign-wide")


def _main_menu() -> Button:
    return Button(_("🏠 Main menu"), menu("menu"))


def overview_screen(overview: Overview, page: int = 0) -> Screen:
    """The campaign-wide roles and one button per unit that has people or unused invitations."""
    pages = max(1, -(-len(overview.units) // UNITS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [
        _("<b>👥 People and roles</b>"),
        _("Campaign-wide: {people} roles, {invites} unused invitations.").format(
            people=overview.campaign_people, invites=overview.campaign_invites
        ),
        _("Choose the campaign-wide roles or a unit to see its people, remove a role or revoke invitations."),
    ]
    buttons: list[list[Button]] = [[Button(_("🌐 Campaign-wide roles"), list_action(None))]]
    for unit in overview.units[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]:
        label = _("{code} · {name} ({people} people)").format(code=unit.code, name=unit.name, people=unit.people)
        buttons.append([Button(label, list_action(unit.unit_id))])
    if pages > 1:
        lines.append(_("Page {page}/{pages}.").format(page=page + 1, pages=pages))
        buttons.append(
            ([Button("◀️", units_action(page - 1))] if page > 0 else [])
            + ([Button("▶️", units_action(page + 1))] if page + 1 < pages else [])
        )
    buttons.append([_main_menu()])
    return Screen("\n".join(lines), rows(*buttons))


def _holder_line(holder: RoleHolder) -> str:
    return _("• {name} — {role}, Telegram {telegram_id}, since {since}").format(
        name=escape(holder.full_name or "—"),
        role=role_label(holder.role),
        telegram_id=holder.telegram_id if holder.telegram_id is not None else "—",
        since=vn_date(holder.since),
    )


def _invite_line(invite: OpenInvite) -> str:
    return _("• #{id} {role}, valid until {date}").format(
        id=invite.id, role=role_label(invite.role), date=vn_date(invite.expires_at)
    )


def unit_screen(listing: People, notice: str = "") -> Screen:
    """A unit's (or the campaign-wide) people, a remove button each, and its unused invitations."""
    unit = listing.unit_id or 0
    title = f"<b>👥 {escape(listing.unit_name)}</b>" if listing.unit_id else _("<b>👥 Campaign-wide roles</b>")
    lines = [notice, title] if notice else [title]
    if listing.holders:
        lines += [_holder_line(h) for h in listing.holders[:SHOWN_PEOPLE]]
    else:
        lines.append(_("Nobody holds a role here."))
    if len(listing.holders) > SHOWN_PEOPLE:
        lines.append(
            _("… and {count} more; see them all with: dti-bot people list").format(
                count=len(listing.holders) - SHOWN_PEOPLE
            )
        )
    if listing.invites:
        lines.append(_("✉️ Unused invitations: {count}").format(count=len(listing.invites)))
        lines += [_invite_line(i) for i in listing.invites[:SHOWN_INVITES]]
        if len(listing.invites) > SHOWN_INVITES:
            lines.append(_("… and {count} more invitations.").format(count=len(listing.invites) - SHOWN_INVITES))
    buttons: list[list[Button]] = [
        [
            Button(
                _("✖️ Remove: {name} — {role}").format(name=h.full_name or "—", role=role_label(h.role)),
                Action("ppr", unit, arg=str(h.membership_id)).pack(),
            )
        ]
        for h in listing.holders[:SHOWN_PEOPLE]
    ]
    if listing.invites:
        buttons.append(
            [
                Button(
                    _("🚫 Revoke {count} unused invitations").format(count=len(listing.invites)),
                    Action("ivr", unit).pack(),
                )
            ]
        )
    buttons.append([Button(_("◀️ Units"), units_action()), _main_menu()])
    return Screen("\n".join(lines), rows(*buttons))


def confirm_remove_screen(holder: RoleHolder, unit_id: int | None) -> Screen:
    unit = unit_id or 0
    text = _(
        "Confirm removing the role {role} of {name} ({place})? From their next message they can no longer "
        "act as {role}; a person left without any role is treated as a stranger."
    ).format(role=role_label(holder.role), name=escape(holder.full_name or "—"), place=place(holder.unit_name))
    return Screen(
        text,
        rows(
            [
                Button(_("✅ Remove the role"), Action("ppx", unit, arg=str(holder.membership_id)).pack()),
                Button(_("✖️ Cancel"), list_action(unit_id)),
            ]
        ),
    )


def confirm_revoke_screen(listing: People) -> Screen:
    unit = listing.unit_id or 0
    last = max(i.id for i in listing.invites)
    text = _("Revoke the {count} unused invitations of {place}? Their links will stop working.").format(
        count=len(listing.invites), place=place(listing.unit_name)
    )
    return Screen(
        "\n".join([text, *(_invite_line(i) for i in listing.invites[:SHOWN_INVITES])]),
        rows(
            [
                Button(_("✅ Revoke"), Action("ivx", unit, arg=str(last)).pack()),
                Button(_("✖️ Cancel"), list_action(listing.unit_id)),
            ]
        ),
    )


def removed_notice(holder: RoleHolder) -> str:
    return _("✅ The role {role} of {name} ({place}) has been removed.").format(
        role=role_label(holder.role), name=escape(holder.full_name or "—"), place=place(holder.unit_name)
    )


def revoked_notice(count: int) -> str:
    return _("✅ {count} invitations revoked; their links no longer work.").format(count=count)
