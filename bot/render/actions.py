"""Button data: `verb|unit|period|code|arg`, at most 64 bytes (Telegram's limit).

Button data comes back from the client and may be forged or stale: `parse` accepts only the exact
shape, and every use case still checks that the person may act on that unit, period and item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERBS = {
    "ans",  # answer: arg y | n | o:<option> | t:<criterion> | d
    "nav",  # arg: next, back, skip, edit, pause, summary, open, evidence, missing (the first item to answer)
    "lst",  # the list of items, arg: page
    "evm",  # manage evidence
    "evd",  # delete evidence, arg: evidence id
    "doc",  # cite a document
    "exp",  # the item's explanation ("giải trình"): type it
    "exr",  # the item's explanation: remove it
    "smy",  # summary; arg "confirm": with the submit confirmation
    "sbc",  # submit, confirmed
    "mnu",  # menu: arg assess | list | summary | help | units | unit:<id> | menu | broadcast | reminders | digest
    "bca",  # broadcast audience: arg focal_points | behind | leaders | cohort:<code>
    "bcs",  # broadcast send: arg now | today | tomorrow
    "bcx",  # broadcast cancel
    "bcw",  # broadcast: ask for a typed time to send at
    "bcu",  # broadcast: cancel a scheduled one, arg broadcast id
    "prp",  # progress: arg page of the units not submitted yet
    "rmu",  # remind one late unit's focal points now (unit, period), arg page of the progress screen
    "rmp",  # reminder policy of a period, arg: d:<days> | o:<days> | w:<weekday> | s:HH-MM | e:HH-MM | defaults | show
    "rvn",  # review: next in the queue
    "rva",  # review: accept, arg answer id
    "rvc",  # review: correct the points, arg answer id
    "rvs",  # review: send back for supplement, arg answer id
    "rvf",  # review: re-send the evidence files, arg answer id
    # review buttons carry in `unit` the unit the appraiser works on (0: the whole queue)
    "rvk",  # review: skip ("⏭"), arg answer id
    "rvr",  # review: show the skipped items again
    "rvu",  # review: one unit's waiting items together, unit id in `unit`
    "rvo",  # review: open one item, arg answer id
    "rvb",  # review: batch accept of the unit's items with complete evidence, arg ask | ok
    "rvm",  # review: send the unit its results now (one grouped message)
    "asg",  # assign appraisers: the list (arg "") or one appraiser's indices (arg p<person id>); period in `period`
    "ast",  # assign appraisers: tick an index or a sub-index (code) in the cohort shown, arg person id
    "aso",  # assign appraisers: open an index's sub-indices (code; "" = back to the indices), arg person id
    "asc",  # assign appraisers: the cohort ticks apply to (code; "" = every cohort), arg person id
    "asv",  # assign appraisers: save, arg person id
    "cnl",  # appraisal council: arg ask | ok (close the appraisal); period in `period`
    "ppl",  # people (admins): arg p:<page> (the units) | c (campaign-wide roles) | "" (the unit's people)
    "ppr",  # people: ask to remove a role, arg membership id
    "ppx",  # people: remove the role, confirmed, arg membership id
    "ivr",  # people: ask to revoke the unit's unused invitations
    "ivx",  # people: revoke them, confirmed, arg the last invitation id shown
    "apv",  # unit approval: the leader sees the unit's self-assessment (unit, period), arg "confirm": asked to approve
    "apa",  # unit approval: approve, confirmed (unit, period)
    "apr",  # unit approval: return to the focal points, ask for the comment (unit, period)
    "apx",  # unit approval: cancel the comment being typed (unit, period)
    "phs",  # period phases: the phase screen of a period (period)
    "phm",  # period phases: ask to confirm a move (period), arg the move
    "phx",  # period phases: the move, confirmed (period), arg move or move:YYYY-MM-DD (the date it sets)
    "phr",  # period phases: reopen the previous phase, ask for the reason (period)
    "phc",  # period phases: cancel the reason being typed (period)
    "xvl",  # external values (coordinators): no code → the items; code → the item, arg p<page> | u<unit id>
    "xvs",  # external values: skip the unit being asked (period, code)
    "xvx",  # external values: stop typing figures
    "obl",  # objections (unit): the items of the provisional results to object to (unit, period), arg page
    "obo",  # objections (unit): object to an item (unit, period, code): type the reason
    "obs",  # objections (unit): send the objection typed so far (unit, period, code)
    "obx",  # objections: cancel what is being typed
    "obn",  # objections (council): the next open objection, arg p<period> or ""
    "obu",  # objections (council): uphold, type the new points, arg objection id
    "obr",  # objections (council): reject, type the reason, arg objection id
    "obf",  # objections (council): send the objection's evidence files, arg objection id
    "wif",  # leaders' what-if: code an index (arg "i") or a sub-index (arg "s"); no code: the choices
}
_RENAMED = {"sub": "smy"}  # verbs of buttons sent before a rename, still in people's chats
_CODE = re.compile(r"^[A-Za-z0-9._-]{0,16}$")
_ARG = re.compile(r"^[A-Za-z0-9._:-]{0,32}$")
_NUMBERED = frozenset(("lst", "evd", "bcu", "prp", "rmu"))  # verbs whose argument is a number


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
