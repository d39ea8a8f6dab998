"""The unit's explanation of an item ("giải trình"), e.g. "không phát sinh" or where a figure comes
from: typed by a focal point, kept on the answer (audited in answer_history), shown to the
appraisers and the unit's leader. Where the framework allows it (`evidence.explanation_allowed`),
an explanation stands in for evidence (scoring.evidence).

The same rule as every other change to an item decides when it can be written
(bot.services.assessment.editability): during the self-assessment, or for a sent-back item in the
supplement window.
"""

from __future__ import annotations

from datetime import datetime

from bot.services.access import Actor
from bot.services.assessment.answers import write_explanation
from bot.services.assessment.context import Ctx, assessment
from bot.services.assessment.items import open_at
from bot.services.assessment.views import ItemView, Notice
from bot.services.errors import ServiceError
from bot.services.safe_text import visible
from scoring import SubIndex
from storage.db import Database

EXPLAIN = "explanation"  # the cursor's step: the next text typed is the item's explanation
MIN_LENGTH, MAX_LENGTH = 3, 2000  # Answer.explanation holds at most 2,000 characters


class BadExplanation(ServiceError):
    reason = "bad_explanation"


async def start_explanation(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, *, now: datetime
) -> ItemView:
    """The focal point pressed "📝 Explanation": the item asks for the text (the next message)."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        ctx.item(code)
        ctx.writable(code)
        return await open_at(ctx, code, now, step=EXPLAIN)


async def explanation_step(ctx: Ctx, sub: SubIndex, text: str, now: datetime) -> ItemView:
    """The text typed while the item asks for its explanation (bot.services.assessment.flow.answer_text
    hands it over, inside its transaction, after checking the item can be changed)."""
    value = visible(text)
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise BadExplanation(low=MIN_LENGTH, high=MAX_LENGTH)
    return await _write(ctx, sub, value, now, "explanation_saved")


async def remove_explanation(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, *, now: datetime
) -> ItemView:
    """Take the item's explanation back (audited)."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        sub = ctx.item(code)
        ctx.writable(code)
        return await _write(ctx, sub, "", now, "explanation_removed")


async def _write(ctx: Ctx, sub: SubIndex, value: str, now: datetime, notice: str) -> ItemView:
    answer, _changed = await write_explanation(
        ctx.sql,
        period_id=ctx.period.id,
        unit_id=ctx.unit.id,
        code=sub.code,
        text=value,
        person_id=ctx.actor.person_id,
        now=now,
        known=ctx.answers.get(sub.code),
    )
    ctx.answers[sub.code] = answer
    step = "evidence" if sub.evidence.kinds and answer.given else "answer"
    return await open_at(ctx, sub.code, now, step=step, notice=Notice(notice, {"code": sub.code}))
