"""Item screens shared by the self-assessment use cases (answers and evidence)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.services.appraisal.status import appraisal_status
from bot.services.assessment.context import Ctx, evidence_of, item_points, latest_comment, readable
from bot.services.assessment.views import ItemView, Notice


class ToSummary(Exception):
    """Moving past the last item: the use case answers with the summary instead."""

    def __init__(self, notice: Notice | None) -> None:
        self.notice = notice


async def item_view(ctx: Ctx, code: str, notice: Notice | None = None) -> ItemView:
    sub = ctx.item(code)
    answer = ctx.answers.get(code)
    usable = readable(sub, answer)
    points, provisional = await item_points(ctx, sub, answer) if usable else (None, False)
    cursor = ctx.cursor if ctx.cursor.get("code") == code else {}
    evidence = await evidence_of(ctx.sql, answer.id if answer else None)
    comment = await latest_comment(ctx.sql, answer.id) if answer and answer.status == "needs_supplement" else ""
    return ItemView(
        ref=ctx.item_ref(code),
        sub=sub,
        index=ctx.framework.index(sub.index_code),
        position=ctx.position(code) + 1,
        total=len(ctx.items),
        answered=ctx.answered(),
        raw=answer.raw if answer and usable else None,
        points=points,
        provisional=provisional,
        status=answer.status if answer else "draft",
        evidence=tuple(evidence),
        step=cursor.get("step", "answer"),
        pending=cursor.get("pending", {}),
        review_comment=comment,
        notice=notice,
        unreadable=not usable,
        card=ctx.card,
        explanation=answer.explanation if answer else "",
        appraisal=await appraisal_status(ctx.sql, answer.id, answer.status, answer.self_points, answer.verified_points)
        if answer
        else None,
    )


async def open_at(
    ctx: Ctx,
    code: str,
    now: datetime,
    step: str = "answer",
    notice: Notice | None = None,
    pending: dict[str, Any] | None = None,
) -> ItemView:
    ctx.set_cursor(now, code=code, step=step, pending=pending or {})
    return await item_view(ctx, code, notice)
