"""Evidence ("tài liệu kiểm chứng"): files, photos, links and cited documents attached to an item.

A file is stored (content-addressed) before its row is written, so nothing a person sent is lost
if anything fails after it arrived. The same Telegram file twice on one item is kept once.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any
from urllib.parse import urlparse

from bot.campaign_calendar import local_date
from bot.services.access import Actor, NotAllowed
from bot.services.assessment.answers import lock_answer, record_history
from bot.services.assessment.context import Ctx, assessment
from bot.services.assessment.items import open_at
from bot.services.assessment.views import ItemView, Notice
from bot.services.errors import ServiceError
from bot.services.safe_text import strip_invisible
from scoring import InvalidAnswer, SubIndex
from scoring.states import AnswerStatus
from storage.db import Database
from storage.files import EvidenceStore
from storage.lean import statement
from storage.models import Evidence

MAX_FILE_BYTES = 20 * 1024 * 1024  # the Bot API lets bots download files up to 20 MB
_OLE = b"\xd0\xcf\x11\xe0"
_ZIP = b"PK\x03\x04"
# extension -> (accepted media types, accepted leading bytes)
ALLOWED = {
    ".pdf": ({"application/pdf"}, (b"%PDF",)),
    ".jpg": ({"image/jpeg"}, (b"\xff\xd8",)),
    ".jpeg": ({"image/jpeg"}, (b"\xff\xd8",)),
    ".png": ({"image/png"}, (b"\x89PNG",)),
    ".doc": ({"application/msword"}, (_OLE,)),
    ".docx": ({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}, (_ZIP,)),
    ".xls": ({"application/vnd.ms-excel"}, (_OLE,)),
    ".xlsx": ({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, (_ZIP,)),
    ".ppt": ({"application/vnd.ms-powerpoint"}, (_OLE,)),
    ".pptx": ({"application/vnd.openxmlformats-officedocument.presentationml.presentation"}, (_ZIP,)),
    ".odt": ({"application/vnd.oasis.opendocument.text"}, (_ZIP,)),
    ".ods": ({"application/vnd.oasis.opendocument.spreadsheet"}, (_ZIP,)),
    ".zip": ({"application/zip", "application/x-zip-compressed"}, (_ZIP,)),
}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_LINK = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# A document's number: digits, a slash, then letters (45/KH-SNV, 12/2024/NĐ-CP, 123/QĐ-UBND).
_DOC_NUMBER = re.compile(r"(?<![\w/])(\d{1,6}(?:/\d{4})?/[^\W\d_][\w.]*(?:-[\w.]+)*)(?![\w/])")
_DOC_DATE = re.compile(
    r"(?<![\d/])(\d{1,2})(?:[/.-]|\s+tháng\s+)(\d{1,2})(?:[/.-]|\s+năm\s+)(\d{4})(?![\d/])", re.IGNORECASE
)
# The words that introduce a citation's number and date ("số 12/QĐ-UBND ngày 15/02/2026").
_NUMBER_GLUE = re.compile(r"(?:^|(?<=\s))(?:số|so)\s*$", re.IGNORECASE)
_DATE_GLUE = re.compile(r"(?:^|(?<=\s))(?:ngày|ngay)\s*$", re.IGNORECASE)
_GAP = re.compile(r"[\s,;]*\0[\s,;\0]*")


class FileRefused(ServiceError):
    """reason: too_big, bad_type, content_mismatch."""


@dataclass(frozen=True)
class IncomingFile:
    kind: str  # photo or document
    file_id: str
    file_unique_id: str
    file_name: str
    media_type: str
    size: int | None


@dataclass(frozen=True)
class EvidenceTarget:
    unit_id: int
    period_id: int
    code: str
    duplicate: bool


def check_declared(incoming: IncomingFile) -> None:
    """What can be refused before downloading: size and type (Telegram tells both)."""
    if incoming.size is not None and incoming.size > MAX_FILE_BYTES:
        raise FileRefused("too_big", size=incoming.size)
    if incoming.kind == "photo":
        return
    suffix = PurePath(incoming.file_name or "").suffix.lower()
    accepted = ALLOWED.get(suffix)
    if accepted is None or (incoming.media_type not in accepted[0] and incoming.media_type not in GENERIC_TYPES):
        raise FileRefused("bad_type", name=incoming.file_name, allowed=", ".join(sorted(ALLOWED)))


def check_content(incoming: IncomingFile, data: bytes) -> None:
    """The bytes must be what the name says: a renamed program is not a PDF."""
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("too_big", size=len(data))
    if incoming.kind == "photo":
        if not data.startswith((b"\xff\xd8", b"\x89PNG", b"RIFF")):
            raise FileRefused("content_mismatch", name="photo")
        return
    magic = ALLOWED[PurePath(incoming.file_name).suffix.lower()][1]
    if not data.startswith(magic):
        raise FileRefused("content_mismatch", name=incoming.file_name)


async def evidence_target(db: Database, actor: Actor, incoming: IncomingFile, *, now: datetime) -> EvidenceTarget:
    """The item a file sent now belongs to (the one the person has open), checked before download."""
    async with assessment(db, actor, None, None, now, write=False) as ctx:
        code = ctx.cursor.get("code") if ctx.cursor.get("period") == ctx.period.id else None
        if code is None or ctx.cursor.get("step") == "summary":
            raise ServiceError("no_item_open")
        ctx.writable(code)
        answer = ctx.answers.get(code)
        duplicate = answer is not None and await _has_file(ctx, answer.id, incoming.file_unique_id)
        return EvidenceTarget(ctx.unit.id, ctx.period.id, code, duplicate)


async def _has_file(ctx: Ctx, answer_id: int, file_unique_id: str) -> bool:
    found = await ctx.sql.value(_SAME_FILE, {"answer_id": answer_id, "unique_id": file_unique_id})
    return found is not None


async def add_file(
    db: Database,
    store: EvidenceStore,
    actor: Actor,
    target: EvidenceTarget,
    incoming: IncomingFile,
    data: bytes,
    *,
    now: datetime,
    show: bool = True,
) -> ItemView | None:
    """Store the bytes, then record the evidence row (once per Telegram file per item)."""
    check_content(incoming, data)
    stored = await asyncio.to_thread(store.put, data)
    async with assessment(db, actor, target.unit_id, target.period_id, now) as ctx:
        ctx.writable(target.code)
        sub = ctx.item(target.code)
        answer = await lock_answer(ctx.sql, ctx.period.id, ctx.unit.id, sub.code, ctx.answers.get(sub.code))
        ctx.answers[sub.code] = answer
        if await _has_file(ctx, answer.id, incoming.file_unique_id):
            notice = Notice("evidence_duplicate", {"name": incoming.file_name or "ảnh"})
        else:
            await attach(
                ctx,
                sub,
                now,
                {"content_key": stored.key},
                kind=incoming.kind,
                content_key=stored.key,
                size=stored.size,
                media_type=incoming.media_type or ("image/jpeg" if incoming.kind == "photo" else ""),
                file_name=_display_name(incoming),
                telegram_file_id=incoming.file_id,
                telegram_file_unique_id=incoming.file_unique_id,
            )
            notice = Notice("evidence_added", {"count": 1, "kind": incoming.kind})
        if not show:
            return None
        return await _stay(ctx, sub, now, notice)


def _display_name(incoming: IncomingFile) -> str:
    """For display only; never used to build a path. Without bidirectional and zero-width controls,
    which could make a name show other than it is ("hoa-don<U+202E>fdp.exe" as "hoa-donexe.pdf")."""
    name = PurePath(strip_invisible(incoming.file_name or "").replace("\\", "/")).name.strip()
    if not name:
        name = f"anh-{incoming.file_unique_id[:8]}.jpg" if incoming.kind == "photo" else "tep"
    return name[:255]


# The columns a piece of evidence may leave out, with the model's defaults (storage.models.Evidence).
EVIDENCE_DEFAULTS: dict[str, Any] = {
    name: Evidence.model_fields[name].default
    for name in (
        "content_key",
        "size",
        "media_type",
        "file_name",
        "url",
        "doc_number",
        "doc_date",
        "doc_summary",
        "telegram_file_id",
        "telegram_file_unique_id",
    )
}
_INSERT_EVIDENCE = statement(
    f"INSERT INTO evidence (answer_id, kind, uploaded_by, uploaded_at, {', '.join(EVIDENCE_DEFAULTS)}) "
    f"VALUES (:answer_id, :kind, :uploaded_by, :uploaded_at, {', '.join(':' + k for k in EVIDENCE_DEFAULTS)}) "
    "RETURNING id"
)
_SAME_FILE = statement("SELECT id FROM evidence WHERE answer_id = :answer_id AND telegram_file_unique_id = :unique_id")
_EVIDENCE_PIECE = statement(
    "SELECT id, kind, file_name, url, doc_number FROM evidence WHERE id = :id AND answer_id = :answer_id"
)
_REMOVE_EVIDENCE = statement("DELETE FROM evidence WHERE id = :id")


async def attach(ctx: Ctx, sub: SubIndex, now: datetime, audit: dict[str, Any], kind: str, **fields: Any) -> int:
    """Add an evidence row to the item's answer (created empty if needed) with its audit row."""
    answer = await lock_answer(ctx.sql, ctx.period.id, ctx.unit.id, sub.code, ctx.answers.get(sub.code))
    ctx.answers[sub.code] = answer
    values = {**EVIDENCE_DEFAULTS, **fields}
    values["doc_date"] = ctx.sql.day(values["doc_date"])
    evidence_id = await ctx.sql.insert(
        _INSERT_EVIDENCE,
        {
            "answer_id": answer.id,
            "kind": kind,
            "uploaded_by": ctx.actor.person_id,
            "uploaded_at": ctx.sql.instant(now),
            **values,
        },
    )
    await record_history(
        ctx.sql,
        answer,
        "evidence_add",
        ctx.actor.person_id,
        now,
        None,
        {"evidence": evidence_id, "kind": kind, **audit},
    )
    return int(evidence_id)


def looks_like_link(text: str) -> bool:
    """Typed text that is a web address (http://…, https://… or www.…), whatever step the card is on."""
    return bool(_LINK.match(text.strip()))


async def add_link(ctx: Ctx, sub: SubIndex, text: str, now: datetime) -> ItemView:
    url = text.strip()
    if url.lower().startswith("www."):
        url = "https://" + url
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url or len(url) > 2048:
        raise InvalidAnswer("not_a_link", "url", value=url)
    await attach(ctx, sub, now, {"url": url}, kind="link", url=url)
    return await _stay(ctx, sub, now, Notice("evidence_added", {"count": 1, "kind": "link"}))


async def _stay(ctx: Ctx, sub: SubIndex, now: datetime, notice: Notice) -> ItemView:
    """Evidence arrived: the card stays where the person is (a half-given answer is kept); a
    cited document's questions are over, so the card is at the item's evidence."""
    cursor = ctx.cursor if ctx.cursor.get("code") == sub.code else {}
    step = cursor.get("step", "answer")
    if step.startswith("doc_") or step == "evidence_manage":
        return await open_at(ctx, sub.code, now, step="evidence", notice=notice)
    return await open_at(ctx, sub.code, now, step=step, notice=notice, pending=cursor.get("pending", {}))


@dataclass(frozen=True)
class Citation:
    number: str
    day: date
    summary: str


def parse_citation(text: str, today: date) -> Citation | None:
    """A document cited in one message, the way officials write it: its number ("số hiệu", with a
    slash and letters: 45/KH-SNV), its date and its summary ("trích yếu"), in any order, e.g.
    "45/KH-SNV, 15/02/2026, Kế hoạch chuyển đổi số" or "Quyết định số 12/QĐ-UBND ngày 15/02/2026 về …".
    None when the text lacks one of the three, or the date is not a past one."""
    value = " ".join(strip_invisible(text).split())
    number = _DOC_NUMBER.search(value)
    when = _DOC_DATE.search(value)
    if number is None or when is None or len(value) > 1200:
        return None
    try:
        day = date(int(when.group(3)), int(when.group(2)), int(when.group(1)))
    except ValueError:
        return None
    if day > today:
        return None
    rest = value
    for found, glue in sorted(((number, _NUMBER_GLUE), (when, _DATE_GLUE)), key=lambda m: -m[0].start()):
        start = found.start()
        before = glue.search(rest[:start])  # "số 12/QĐ-UBND", "ngày 15/02/2026": the word goes too
        start = before.start() if before else start
        rest = rest[:start] + "\0" + rest[found.end() :]
    # Where a part was, keep a comma only if one separated it from its neighbours.
    rest = _GAP.sub(lambda gap: ", " if re.search("[,;]", gap.group()) else " ", rest)
    summary = " ".join(rest.split()).strip(" ,;:-–—")
    if not 3 <= len(summary) <= 1024 or len(number.group(1)) > 128:
        return None
    return Citation(number.group(1), day, summary)


async def add_citation(ctx: Ctx, sub: SubIndex, citation: Citation, now: datetime) -> ItemView:
    await attach(
        ctx,
        sub,
        now,
        {"number": citation.number},
        kind="document_ref",
        doc_number=citation.number,
        doc_date=citation.day,
        doc_summary=citation.summary,
    )
    return await _stay(ctx, sub, now, Notice("docref_saved", {}))


async def start_document_ref(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, *, now: datetime
) -> ItemView:
    """The focal point is asked for the number of the document they cite for the item."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        ctx.writable(code)
        ctx.item(code)
        return await open_at(ctx, code, now, step="doc_number")


async def document_ref_step(ctx: Ctx, sub: SubIndex, step: str, text: str, now: datetime) -> ItemView:
    """A cited document is asked in three steps: number ("số hiệu"), date, summary ("trích yếu")."""
    pending = dict(ctx.cursor.get("pending", {}))
    value = text.strip()
    if step == "doc_number":
        if not 1 <= len(value) <= 128:
            raise InvalidAnswer("bad_doc_number", "number", value=value)
        return await open_at(ctx, sub.code, now, step="doc_date", pending={**pending, "number": value})
    if step == "doc_date":
        when = parse_vn_date(value)
        if when is None or when > local_date(now):  # dated today is valid all day, local time
            raise InvalidAnswer("bad_doc_date", "date", value=value)
        return await open_at(ctx, sub.code, now, step="doc_summary", pending={**pending, "date": when.isoformat()})
    if not 3 <= len(value) <= 1024:
        raise InvalidAnswer("bad_doc_summary", "summary", value=value)
    await attach(
        ctx,
        sub,
        now,
        {"number": pending["number"]},
        kind="document_ref",
        doc_number=pending["number"],
        doc_date=date.fromisoformat(pending["date"]),
        doc_summary=value,
    )
    return await open_at(ctx, sub.code, now, step="evidence", notice=Notice("docref_saved", {}))


def parse_vn_date(text: str) -> date | None:
    """24/10/2023, 24-10-2023, 24.10.2023 or 2023-10-24."""
    match = _DATE.match(text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


async def remove_evidence(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, evidence_id: int, *, now: datetime
) -> ItemView:
    """Remove one piece of evidence, only before the item is submitted."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        ctx.writable(code)
        ctx.item(code)
        answer = ctx.answers.get(code)
        found = await ctx.sql.row(_EVIDENCE_PIECE, {"id": evidence_id, "answer_id": answer.id if answer else None})
        if found is None or answer is None:
            raise NotAllowed(evidence=evidence_id)
        if answer.status == AnswerStatus.ACCEPTED:  # reopen it first: change the answer (back to appraisal)
            raise ServiceError("accepted_evidence", code=code)
        if answer.status == AnswerStatus.SUBMITTED:
            raise ServiceError("already_submitted", code=code)
        id_, kind, file_name, url, doc_number = found
        old = {"evidence": id_, "kind": kind, "label": file_name or url or doc_number}
        await record_history(ctx.sql, answer, "evidence_remove", actor.person_id, now, old, None)
        await ctx.sql.run(_REMOVE_EVIDENCE, {"id": id_})
        return await open_at(ctx, code, now, step="evidence_manage", notice=Notice("evidence_removed", {}))
