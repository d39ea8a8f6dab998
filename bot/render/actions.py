"""Button data: `verb|unit|period|code|arg`, at most 64 bytes (Telegram's limit).

Button data comes back from the client and may be forged or stale: `parse` accepts only the exact
shape, and every use case still checks that the person may act on that unit, period and item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERBS = {
    "ans",  # answer: arg y | n | o:<option> | t:<criterion> | d
    "nav",  # arg: next, back, skip, edit, pause, summary, open, evidence
    "lst",  # the list of items, arg: page
    "evm",  # manage evidence
    "evd",  # delete evidence, arg: evidence id
    "doc",  # cite a document
    "smy",  # summary; arg "confirm": with the submit confirmation
    "sbc",  # submit, confirmed
    "mnu",  # menu: arg assess | list | summary | help | units | unit:<id> | menu | broadcast | reminders | digest
    "bca",  # broadcast audience: arg focal_points | behind | leaders | cohort:<code>
    "bcs",  # broadcast send: arg now | tomorrow
    "bcx",  # broadcast cancel
    "rmp",  # reminder policy of a period, arg: d:<days> | o:<days> | w:<weekday> | s:HH-MM | e:HH-MM | defaults | show
    "rvn",  # review: next in the queue
    "rva",  # review: accept, arg answer id
    "rvc",  # review: correct the points, arg answer id
    "rvs",  # review: send back for supplement, arg answer id
    "rvf",  # review: re-send the evidence files, arg answer id
    "ppl",  # people (admins): arg p:<page> (the units) | c (campaign-wide roles) | "" (the unit's people)
    "ppr",  # people: ask to remove a role, arg membership id
    "ppx",  # people: remove the role, confirmed, arg membership id
    "ivr",  # people: ask to revoke the unit's unused invitations
    "ivx",  # people: revoke them, confirmed, arg the last invitation id shown
}
_RENAMED = {"sub": "smy"}  # verbs of buttons sent before a rename, still in people's chats
_CODE = re.compile(r"^[A-Za-z0-9._-]{0,16}$")
_ARG = re.compile(r"^[A-Za-z0-9._:-]{0,32}$")
_NUMBERED = frozenset(("lst", "evd"))  # verbs whose argument is a number


@dataclass(frozen=True)
class Action:
    verb: str
    unit: int = 0
    period: int = 0
    code: str = ""
    arg: str = ""

    def pack(self) -> str:
        data = f"{self.verb}|{self.unit}|{self.period}|{self.code}|{self.arg}"
        if len(data.encode()) > 64:
            raise ValueError(f"button data too long: {data}")
        return data


def parse(data: str | None) -> Action | None:
    """The action, or None for anything that is not exactly what the bot sends."""
    if not data or len(data.encode()) > 64:
        return None
    parts = data.split("|")
    if len(parts) != 5:
        return None
    verb, unit, period, code, arg = parts
    verb = _RENAMED.get(verb, verb)
    if verb not in VERBS or not unit.isdigit() or not period.isdigit() or not _CODE.match(code) or not _ARG.match(arg):
        return None
    if verb in _NUMBERED and arg and not arg.isdigit():  # a page or an evidence id
        return None
    return Action(verb, int(unit), int(period), code, arg)


def menu(arg: str) -> str:
    return Action("mnu", arg=arg).pack()
