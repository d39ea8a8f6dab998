"""Issue 13 end to end, through the emulator on the demo province: the whole campaign cycle as people
do it in the chat — the focal point prepares and submits, the unit's leader approves, the coordinator
moves the period to appraisal, two appraisers each appraise their own domain (a batch accept, one by
one, a correction with its reason, a send-back with its comment), the unit is told once per round and
its card shows each item's status, the sent-back item is supplemented after the self-assessment
deadline and accepted, the council chair closes the appraisal, the unit objects to two items (one
upheld, one rejected), the final results are published and locked — and one test per refusal."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, select, update

from bot.render.numbers import vn_date
from bot.services.access import SYSTEM
from bot.services.admin.frameworks import framework_of
from bot.services.assessment.answers import write_answer
from bot.services.campaign import periods
from bot.services.demo.files import pdf, png
from bot.services.results.scores import period_scores
from bot.wording import vn_points
from storage.files import EvidenceStore
from storage.lean import lean_in
from storage.models import (
    Answer,
    AnswerHistory,
    Conversation,
    Evidence,
    FrameworkVersion,
    Objection,
    Period,
    Person,
    Review,
    Unit,
    UnitApproval,
)
from storage.types import utcnow

FOCAL, LEADER, APPRAISER_A, APPRAISER_B, CHAIR = 700001, 700004, 700006, 700009, 700007
DOMAIN_A = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4"}  # indices 1–3
DOMAIN_B = {"4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "6.1", "6.2", "6.4"}  # indices 4–6 (6.3: a coordinator's)
CODE = re.compile(r"<b>(\d+\.\d+)</b>")
SHOWN_ITEM = re.compile(r"</b> · (\d+\.\d+) ")

DOC, FILE, PHOTO, LINK = "document_ref", "document", "photo", "link"
# Sở Nội vụ's answers, typed before the test starts (the chat answers 1.1 and 3.4 itself), with the
# evidence each would carry; self points as the framework scores them.
PREPARED: dict[str, tuple[dict[str, Any], str | None]] = {
    "1.2": ({"yes": True}, DOC),  # 6 — sent back, supplemented after the deadline
    "1.3": ({"count": 9}, None),  # 4 — objected to, rejected
    "2.1": ({"yes": True}, DOC),  # 6
    "2.2": ({"criteria": ["attt", "kyso", "kehoach"]}, DOC),  # 8
    "2.3": ({"a": 3, "b": 4}, None),  # 4,5
    "3.1": ({"a": 45, "b": 50}, None),  # 9
    "3.2": ({"yes": True}, FILE),  # 10
    "3.3": ({"a": 95, "b": 100}, PHOTO),  # 10
    "4.1": ({"option": "fulltime"}, DOC),  # 10 — corrected to 5, objected to, upheld
    "4.2": ({"a": 40, "b": 50}, None),  # 10
    "4.3": ({"count": 3}, DOC),  # 7,5
    "5.1": ({"a": 2, "b": 2}, DOC),  # 10
    "5.2": ({"yes": False}, None),  # 0: no evidence needed
    "5.3": ({"count": 1}, DOC),  # 5
    "5.4": ({"value": "2"}, None),  # min-max: points from the cohort
    "6.1": ({"a": 800, "b": 1000}, FILE),  # 12
    "6.2": ({"a": 950, "b": 1000}, FILE),  # 15
    "6.4": ({"criteria": ["danhmuc", "congbo"]}, LINK),  # 7
}
SEND_BACK = "Đề nghị bổ sung kế hoạch chuyển đổi số năm 2026 có chữ ký, đóng dấu."
CORRECTION = "Quyết định phân công là cán bộ kiêm nhiệm, không phải chuyên trách."
UPHOLD = "Quyết định 45/QĐ-SNV phân công cán bộ chuyên trách"
REJECT = "Số tin bài đăng trong kỳ đánh giá là 9; 3 tin đăng ngoài kỳ."


# The points every item of Sở Nội vụ ends with (min-max items 3.4 and 5.4 are scored on the cohort):
# the appraisers' decisions and the council's upheld objection, exact.
VERIFIED = {
    code: Decimal(points)
    for code, points in {
        "1.1": "8", "1.2": "6", "1.3": "4", "2.1": "6", "2.2": "8", "2.3": "4.5", "3.1": "9", "3.2": "10",
        "3.3": "10", "4.1": "10", "4.2": "10", "4.3": "7.5", "5.1": "10", "5.2": "0", "5.3": "5", "6.1": "12",
        "6.2": "15", "6.4": "7",
    }.items()
}  # fmt: skip
POINTS = re.compile(r"Điểm: ([\d.,]+)/([\d.,]+)")


def shown_points(message: dict) -> tuple[Decimal, Decimal]:
    """ "Điểm: 149,83/200" on a ranking screen, read back."""
    found = POINTS.search(message["text"])
    return tuple(Decimal(n.replace(".", "").replace(",", ".")) for n in found.groups())


def cents(points: Decimal) -> Decimal:
    """Points as screens round them (a min-max item's points are exact fractions)."""
    return points.quantize(Decimal("0.01"), ROUND_HALF_UP)


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# -- the database, read and prepared -------------------------------------------------------------------
async def snv(db) -> tuple[int, int]:
    async with db.read_session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalar_one()
        unit = (await session.execute(select(Unit).where(Unit.code == "SNV"))).scalar_one()
    return period.id, unit.id


async def person_id(db, telegram_id: int) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(Person.id).where(Person.telegram_id == telegram_id))).scalar_one()


async def unit_code(db, unit_id: int) -> str:
    async with db.read_session() as session:
        return (await session.get(Unit, unit_id)).code


async def answers_of(db, period_id: int, unit_id: int) -> dict[str, Answer]:
    async with db.read_session() as session:
        rows = (
            await session.execute(select(Answer).where(Answer.period_id == period_id, Answer.unit_id == unit_id))
        ).scalars()
        return {a.sub_index_code: a for a in rows}


async def prepare(db, store: EvidenceStore, period_id: int, unit_id: int, left: tuple[str, ...]) -> None:
    """Sở Nội vụ's answers of PREPARED, as drafts with their evidence; the items `left` unanswered
    (the demo's answers and evidence of the unit replaced)."""
    author = await person_id(db, FOCAL)
    now = utcnow()
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        old = list(
            (
                await session.execute(select(Answer.id).where(Answer.period_id == period_id, Answer.unit_id == unit_id))
            ).scalars()
        )
        await session.execute(delete(Evidence).where(Evidence.answer_id.in_(old)))
        gone = [
            a
            for a, code in await session.execute(select(Answer.id, Answer.sub_index_code).where(Answer.id.in_(old)))
            if code in left
        ]
        await session.execute(delete(AnswerHistory).where(AnswerHistory.answer_id.in_(gone)))
        await session.execute(delete(Review).where(Review.answer_id.in_(gone)))
        await session.execute(delete(Answer).where(Answer.id.in_(gone)))
        sql = await lean_in(session)
        for code, (raw, kind) in PREPARED.items():
            written, _changed = await write_answer(
                sql,
                period_id=period_id,
                unit_id=unit_id,
                sub=framework.sub_index(code),
                raw=raw,
                person_id=author,
                now=now,
            )
            if kind is not None:
                session.add(_evidence(store, written.id, code, kind, author))
        await session.execute(delete(Conversation).where(Conversation.person_id == author))


def _evidence(store: EvidenceStore, answer_id: int, code: str, kind: str, author: int) -> Evidence:
    if kind == DOC:
        return Evidence(
            answer_id=answer_id,
            kind=DOC,
            doc_number=f"{10 + int(code.replace('.', ''))}/QĐ-SNV",
            doc_date=date(2026, 3, 2),
            doc_summary=f"Quyết định về chỉ số {code}",
            uploaded_by=author,
        )
    if kind == LINK:
        return Evidence(answer_id=answer_id, kind=LINK, url=f"https://snv.example.gov.vn/{code}", uploaded_by=author)
    data = png(12, 8, (30, 90, 200)) if kind == PHOTO else pdf(f"Tai lieu kiem chung SNV - chi so {code}")
    stored = store.put(data)
    return Evidence(
        answer_id=answer_id,
        kind=kind,
        content_key=stored.key,
        size=stored.size,
        media_type="image/png" if kind == PHOTO else "application/pdf",
        file_name=f"{code}.png" if kind == PHOTO else f"{code}.pdf",
        uploaded_by=author,
    )


async def standing(db, period_id: int, unit: str = "SNV") -> tuple[Decimal, Decimal, int | None, int, str]:
    """The unit's points, maximum, rank, units ranked and cohort name, recomputed from stored answers."""
    scores = await period_scores(db, period_id)
    cohort = scores.cohort_of(unit)
    entry = cohort.entry(unit)
    return entry.result.points, entry.result.max_points, entry.rank, len(cohort.ranked), cohort.name


def standing_line(found: tuple[Decimal, Decimal, int | None, int, str]) -> str:
    points, top, rank, ranked, cohort = found
    return f"Sở Nội vụ: {vn_points(points)}/{vn_points(top)} điểm, xếp thứ {rank}/{ranked} trong {cohort}."


# -- the chat ------------------------------------------------------------------------------------------
async def menu(someone, button: str) -> None:
    await someone.send("/menu")
    await someone.expect("Menu chính")
    await someone.press(button)


async def open_item(lan, code: str) -> dict:
    await menu(lan, "Danh sách chỉ số")
    await lan.expect("Danh sách chỉ số")
    await lan.press(f" {code}")
    return await lan.expect(f"<b>{code} ")


async def submit(lan) -> None:
    await lan.press("Danh sách")
    await lan.expect_button("Tổng hợp và nộp")
    await lan.press("Tổng hợp và nộp")
    await lan.expect("Tổng hợp kết quả tự đánh giá")
    await lan.press("Nộp kết quả")
    await lan.expect("Nộp kết quả ngay bây giờ?")
    await lan.press("Đồng ý nộp")


async def open_unit(appraiser, domain: str = "") -> dict:
    """The appraiser's queue (which names their domain), then Sở Nội vụ's items of it together."""
    await menu(appraiser, "Hàng chờ thẩm định")
    start = await appraiser.expect("Thẩm định</b>")
    assert domain in start["text"]
    await appraiser.press("Sở Nội vụ (")
    return await appraiser.expect("🏢 <b>Sở Nội vụ</b>")


def labels(message: dict) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def rounds_told(lan, seconds: float = 2.0) -> list[str]:
    """The appraisal notices that reached the focal point within `seconds`."""
    return [
        e["message"]["text"]
        for e in await lan.quiet(seconds)
        if "Kết quả thẩm định</b>" in (e["message"].get("text") or "")
    ]


async def test_the_whole_campaign_cycle_from_preparation_to_locked_final_results(demo_bot, person, tmp_path):
    db = demo_bot
    period_id, unit_id = await snv(db)
    store = EvidenceStore(tmp_path / "data" / "evidence")  # the demo_bot fixture's data folder
    await prepare(db, store, period_id, unit_id, left=("1.1", "3.4"))
    lan, tuan = person(FOCAL, "Nguyễn Thị Lan"), person(LEADER, "Lê Minh Tuấn")
    ha, yen, son = (
        person(APPRAISER_A, "Phạm Thu Hà"),
        person(APPRAISER_B, "Bùi Ngọc Yến"),
        person(CHAIR, "Võ Thanh Sơn"),
    )

    # 1. The focal point answers the last items, sends one piece of evidence and submits.
    card = await open_item(lan, "1.1")
    assert "Người đứng đầu" in card["text"]
    await lan.press("Thủ trưởng đơn vị")
    await lan.expect("✅ Đã ghi 1.1: 8/8 điểm")
    await lan.upload(pdf("Quyet dinh 12/QD-SNV kien toan Ban chi dao"), "quyet-dinh-ban-chi-dao.pdf")
    await lan.expect("📎 Đã nhận tài liệu kiểm chứng.")
    await open_item(lan, "3.4")
    await lan.send("120")
    await lan.expect("✅ Đã ghi 3.4")
    await submit(lan)
    summary = await lan.expect("để lãnh đạo đơn vị phê duyệt")
    receipt = await lan.expect("BIÊN NHẬN NỘP KẾT QUẢ TỰ ĐÁNH GIÁ")
    stored = await answers_of(db, period_id, unit_id)
    assert {a.status for a in stored.values()} == {"submitted"} and set(stored) == DOMAIN_A | DOMAIN_B
    self_scored = await standing(db, period_id)
    total = f"{vn_points(self_scored[0])}/{vn_points(self_scored[1])}"  # one total on every screen
    assert f"tổng điểm tự chấm: {total}" in summary["text"]
    assert f"tổng điểm tự chấm: {total}" in (receipt.get("text") or receipt.get("caption"))

    # 2. The leader reads the summary and approves.
    await tuan.expect("Nguyễn Thị Lan đã trình kết quả tự đánh giá của Sở Nội vụ", timeout=30)
    await tuan.press("Xem và phê duyệt")
    summary = await tuan.expect("Phê duyệt kết quả tự đánh giá</b> — Sở Nội vụ")
    assert f"Tổng điểm tự chấm: <b>{total}</b>" in summary["text"]
    await tuan.press("✅ Phê duyệt")
    await tuan.expect("Phê duyệt kết quả tự đánh giá của Sở Nội vụ?")
    await tuan.press("Đồng ý phê duyệt")
    await tuan.expect("Đã phê duyệt: hồ sơ tự đánh giá chuyển sang bộ phận thẩm định")
    await lan.expect("đã phê duyệt kết quả tự đánh giá của Sở Nội vụ", timeout=30)

    # 3. The coordinator moves the period to appraisal.
    await menu(son, "Giai đoạn")
    await son.expect("Giai đoạn hiện tại: <b>đang tự đánh giá</b>")
    await son.press("Chuyển sang thẩm định")
    confirm = await son.expect("sang giai đoạn <b>thẩm định</b>?")
    assert "đơn vị chưa nộp" in confirm["text"] and "Vẫn chuyển sang thẩm định?" in confirm["text"]
    await son.press("Xác nhận")
    await son.expect("đã chuyển sang giai đoạn thẩm định")
    async with db.read_session() as session:
        supplement_until = (await session.get(Period, period_id)).supplement_deadline
    assert supplement_until is not None and supplement_until > date.today()

    # 4. Appraiser 1 (indices 1–3) sees only her domain, sends 1.2 back with a comment, accepts the rest in a batch.
    unit = await open_unit(ha, "chỉ số 1, 2, 3")
    assert set(CODE.findall(unit["text"])) == DOMAIN_A
    await ha.press("🔎 1.2")
    item = await ha.expect("❓")
    assert "· 1.2 " in item["text"] and "📄" in item["text"]
    await ha.press("Đề nghị bổ sung")
    await ha.expect("Nhập nội dung đề nghị bổ sung")
    await ha.send(SEND_BACK)
    await ha.expect("Đã ghi nhận kết quả thẩm định")
    following = await ha.expect("Sở Nội vụ")
    assert "· 1.3 " in following["text"]  # the unit's next item in the framework's order
    await ha.press("Các chỉ số của đơn vị")
    unit = await ha.expect("🏢 <b>Sở Nội vụ</b>")
    assert set(CODE.findall(unit["text"])) == DOMAIN_A - {"1.2"}
    await ha.press("Chấp nhận 9 chỉ số đủ hồ sơ")
    await ha.expect("Chấp nhận 9 chỉ số của Sở Nội vụ theo điểm tự chấm?")
    await ha.press("✅ Chấp nhận 9 chỉ số")
    await ha.expect("✅ Đã chấp nhận 9 chỉ số.")
    await ha.press("Gửi kết quả cho đơn vị")
    await ha.expect("📨 Đã gửi kết quả (10 chỉ số) cho Sở Nội vụ trong một tin nhắn")

    told = await lan.expect("Kết quả thẩm định</b> — Sở Nội vụ", timeout=30)
    assert "✅ Đạt (9): 1.1, 1.3, 2.1, 2.2, 2.3, 3.1, 3.2, 3.3, 3.4" in told["text"]
    assert f"<b>1.2</b> Ban hành kế hoạch chuyển đổi số năm: “{SEND_BACK}”" in told["text"]
    assert "📝 Mở chỉ số 1.2" in labels(told)
    assert await rounds_told(lan) == []  # one message for the round, not one per decision

    # 5. Appraiser 2 (indices 4–6) sees only hers and goes one by one: corrects 4.1 with a reason, accepts the rest.
    unit = await open_unit(yen, "chỉ số 4, 5, 6")
    assert set(CODE.findall(unit["text"])) == DOMAIN_B
    await yen.press("Thẩm định lần lượt")
    decided = []
    while True:
        screen = await yen.expect("Sở Nội vụ")
        if "❓" not in screen["text"]:
            break
        code = SHOWN_ITEM.search(screen["text"]).group(1)
        decided.append(code)
        if code == "4.1":
            await yen.press("Điều chỉnh điểm")
            await yen.expect("Nhập số điểm sau khi điều chỉnh (từ 0 đến 10)")
            await yen.send("5")
            await yen.expect("Nhập lý do điều chỉnh điểm")
            await yen.send(CORRECTION)
            await yen.expect("Đã ghi nhận kết quả thẩm định")
        else:
            await yen.press("✅ Chấp nhận")
    assert sorted(decided) == sorted(DOMAIN_B)
    assert "Đơn vị không còn chỉ số nào thuộc lĩnh vực của bạn chờ thẩm định" in screen["text"]
    await yen.press("Gửi kết quả cho đơn vị")
    await yen.expect("📨 Đã gửi kết quả (10 chỉ số) cho Sở Nội vụ trong một tin nhắn")

    told = await lan.expect("Kết quả thẩm định</b> — Sở Nội vụ", timeout=30)
    assert "✅ Đạt (9): 4.2, 4.3, 5.1, 5.2, 5.3, 5.4, 6.1, 6.2, 6.4" in told["text"]
    assert f"<b>4.1</b> Cán bộ phụ trách công nghệ thông tin: 10 → 5 điểm. Lý do: {CORRECTION}" in told["text"]
    assert await rounds_told(lan) == []
    stored = await answers_of(db, period_id, unit_id)
    assert (stored["4.1"].status, stored["4.1"].verified_points) == ("accepted", Decimal(5))
    assert (stored["1.2"].status, stored["1.2"].verified_points) == ("needs_supplement", None)

    # 6. The unit's card shows each item's status: corrected (with the reason, for good), accepted.
    await lan.press("Mở chỉ số 4.1")
    card = await lan.expect("<b>4.1 ")
    assert f"Điều chỉnh: 10 → 5 điểm. Lý do: {CORRECTION}" in card["text"]
    card = await open_item(lan, "2.1")
    assert "✅ Trạng thái: đạt" in card["text"]

    # 7. After the self-assessment deadline, the sent-back item is supplemented and submitted again.
    async with db.session() as session, session.begin():
        await session.execute(
            update(Period).where(Period.id == period_id).values(deadline=date.today() - timedelta(days=2))
        )
    card = await open_item(lan, "1.2")
    assert SEND_BACK in card["text"] and f"sửa được đến hết ngày {vn(supplement_until)}" in card["text"]
    await lan.upload(pdf("Ke hoach 45/KH-SNV co chu ky"), "ke-hoach-45-ky-so.pdf")
    await lan.expect("📎 Đã nhận tài liệu kiểm chứng.")
    stale_answer = lan.button("Không")  # kept to try once the results are final
    await submit(lan)
    await lan.expect("📨")
    assert (await answers_of(db, period_id, unit_id))["1.2"].status == "submitted"
    card = await open_item(lan, "1.2")
    assert "⏳ Trạng thái: chờ thẩm định" in card["text"]
    assert "Đang thẩm định; chỉ những chỉ số được đề nghị bổ sung mới sửa được." in card["text"]  # read-only again

    # 8. Appraiser 1 accepts the supplemented item and sends the unit its result.
    unit = await open_unit(ha)
    assert set(CODE.findall(unit["text"])) == {"1.2"}
    await ha.press("🔎 1.2")
    item = await ha.expect("❓")
    assert "ke-hoach-45-ky-so.pdf" in item["text"]
    await ha.press("✅ Chấp nhận")
    await ha.expect("Đơn vị không còn chỉ số nào thuộc lĩnh vực của bạn chờ thẩm định")
    await ha.press("Gửi kết quả cho đơn vị")
    await ha.expect("📨 Đã gửi kết quả (1 chỉ số) cho Sở Nội vụ")
    told = await lan.expect("Kết quả thẩm định</b> — Sở Nội vụ", timeout=30)
    assert "✅ Đạt (1): 1.2" in told["text"]
    card = await open_item(lan, "1.2")
    assert "✅ Trạng thái: đạt" in card["text"]

    # 9. The chair closes the appraisal: provisional results reach the unit with its points and rank.
    await menu(son, "Hội đồng thẩm định")
    council = await son.expect("Hội đồng thẩm định</b>")
    assert "• Bùi Ngọc Yến (chỉ số 4, 5, 6): chờ" in council["text"]
    assert "• Sở Nội vụ: đã thẩm định 20" in council["text"].splitlines()  # counts of 0 are left out
    await son.press("Kết thúc thẩm định")
    close = await son.expect("mỗi đơn vị được thông báo điểm, thứ hạng")
    supplement = f"⚠️ Đơn vị còn được bổ sung hồ sơ đến hết ngày {vn_date(supplement_until)}; "
    assert supplement in close["text"] and "chỉ số chờ thẩm định" in close["text"]  # Yến's items
    assert "Vẫn kết thúc thẩm định và công bố kết quả tạm thời?" in close["text"]
    await son.press("Kết thúc thẩm định")
    await son.expect("đã chuyển sang giai đoạn kết quả tạm thời")
    provisional = await standing(db, period_id)
    told = await lan.expect("Kết quả tạm thời</b>", timeout=30)
    assert standing_line(provisional) in told["text"]

    # 10. The unit objects to two items.
    await menu(lan, "Kiến nghị kết quả")
    window = await lan.expect("Kiến nghị về kết quả tạm thời</b> — Sở Nội vụ")
    assert "1.3 Tuyên truyền về chuyển… · 4/6" in labels(window)  # each item once: as its button
    assert "Tuyên truyền" not in window["text"]
    await lan.press("Trang sau")
    window = await lan.expect("Kiến nghị về kết quả tạm thời</b>")
    assert "4.1 Cán bộ phụ trách công… · 5/10" in labels(window)
    await lan.press("4.1 Cán bộ")
    await lan.expect("Nhập lý do kiến nghị")
    await lan.send("Đơn vị đã có cán bộ chuyên trách theo Quyết định 45/QĐ-SNV; đề nghị giữ 10 điểm.")
    await lan.expect("Gửi kiến nghị")
    await lan.send("https://snv.example.gov.vn/qd-45")
    await lan.expect("📎 https://snv.example.gov.vn/qd-45")
    await lan.press("Gửi kiến nghị")
    await lan.expect("Đã gửi kiến nghị về chỉ số 4.1")
    await lan.press("Kiến nghị khác")
    await lan.expect("Kiến nghị về kết quả tạm thời</b>")
    await lan.press("1.3 Tuyên truyền")
    await lan.expect("Nhập lý do kiến nghị")
    await lan.send("Đơn vị đăng 12 tin bài trong năm; đề nghị chấm 6 điểm.")
    await lan.expect("Gửi kiến nghị")
    await lan.press("Gửi kiến nghị")
    await lan.expect("Đã gửi kiến nghị về chỉ số 1.3")

    # 11. The council upholds the first (new points) and rejects the second (with a reason).
    await menu(son, "Xem xét kiến nghị")
    first = await son.expect("Kiến nghị số")
    assert "2 kiến nghị đang chờ" in first["text"] and "Chỉ số 4.1" in first["text"]
    assert "hiện 5/10 điểm" in first["text"] and "📎 https://snv.example.gov.vn/qd-45" in first["text"]
    await son.press("Chấp nhận (điểm mới)")
    await son.expect("Nhập điểm mới của chỉ số")
    await son.send(f"10; {UPHOLD}")
    await son.expect("✅ Kiến nghị được chấp nhận: chỉ số 4.1 nay đạt 10/10 điểm (trước đây 5)")
    second = await son.expect("Kiến nghị số")
    assert "Chỉ số 1.3" in second["text"]
    await son.press("Không chấp nhận")
    await son.expect("Nhập lý do không chấp nhận kiến nghị")
    await son.send(REJECT)
    await son.expect("❌ Kiến nghị không được chấp nhận: chỉ số 1.3 giữ nguyên 4/6 điểm.")
    await son.expect("Không có kiến nghị nào chờ Hội đồng xem xét")

    upheld = await lan.expect("chỉ số 4.1 nay đạt 10/10 điểm (trước đây 5)", timeout=30)
    assert "Hội đồng đã trả lời kiến nghị của đơn vị" in upheld["text"]
    rejected = await lan.expect("chỉ số 1.3 giữ nguyên 4/6 điểm", timeout=30)
    assert f"Ý kiến của Hội đồng: {REJECT}" in rejected["text"]
    after = await standing(db, period_id)
    assert after[0] == provisional[0] + Decimal(5)  # exactly the upheld item's change
    stored = await answers_of(db, period_id, unit_id)
    assert (stored["4.1"].verified_points, stored["1.3"].verified_points) == (Decimal(10), Decimal(4))
    chair = await person_id(db, CHAIR)
    async with db.read_session() as session:
        objections = (await session.execute(select(Objection).order_by(Objection.id))).scalars().all()
        audit = (
            await session.execute(
                select(AnswerHistory).where(
                    AnswerHistory.answer_id == stored["4.1"].id, AnswerHistory.action == "objection_upheld"
                )
            )
        ).scalar_one()
    assert [(o.sub_index_code, o.state, o.old_points, o.new_points) for o in objections] == [
        ("4.1", "upheld", Decimal(5), Decimal(10)),
        ("1.3", "rejected", Decimal(4), Decimal(4)),
    ]
    assert objections[1].response == REJECT and objections[0].decided_by == chair
    assert audit.changed_by == chair and Decimal(audit.old["verified_points"]) == Decimal(5)
    assert Decimal(audit.new["verified_points"]) == Decimal(10)
    assert {c: a.verified_points for c, a in stored.items() if a.verified_points is not None} == VERIFIED
    scores = await period_scores(db, period_id)
    relative = scores.cohort_of("SNV").entry("SNV").result.subs
    assert after[0] == sum(VERIFIED.values()) + relative["3.4"].points + relative["5.4"].points
    await menu(tuan, "Xếp hạng")  # the leader's ranking counts the new points
    ranking = await tuan.expect("Xếp hạng — Sở Nội vụ")
    assert shown_points(ranking) == (cents(after[0]), after[1])
    assert "tự chấm, chưa thẩm định" not in ranking["text"]  # every item was appraised, min-max ones too

    # 12. The chair publishes the final results; the unit's total is the recomputation from stored answers.
    await menu(son, "Giai đoạn")
    phase = await son.expect("Giai đoạn hiện tại: <b>")
    assert "kết quả tạm thời" in phase["text"]
    await son.press("Công bố kết quả chính thức")
    confirm = await son.expect("sang giai đoạn <b>kết quả chính thức</b>?")
    assert "⚠️ Đơn vị còn được gửi kiến nghị đến hết ngày" in confirm["text"]  # both objections answered
    assert "kiến nghị chưa được trả lời" not in confirm["text"]
    await son.press("Xác nhận")
    await son.expect("đã chuyển sang giai đoạn kết quả chính thức")
    final = await standing(db, period_id)
    assert final == after
    told = await lan.expect("Kết quả chính thức</b>", timeout=30)
    assert standing_line(final) in told["text"]

    # 13. Locked: an answer (from a card still on the screen) and an objection are refused; nothing changes.
    await lan.press_data(*stale_answer)
    await lan.expect("Đã công bố kết quả chính thức; câu trả lời chỉ xem.")
    await menu(lan, "Kiến nghị kết quả")
    await lan.expect("Kết quả đã chính thức: không còn tiếp nhận hay xem xét kiến nghị.")
    stored = await answers_of(db, period_id, unit_id)
    assert (stored["1.2"].raw, stored["1.2"].status) == ({"yes": True}, "accepted")
    assert await standing(db, period_id) == final


# -- refusals ------------------------------------------------------------------------------------------
async def test_a_decision_on_a_final_period_is_refused_in_the_chat_and_changes_nothing(demo_bot, person):
    db = demo_bot
    period_id, _snv = await snv(db)
    ha = person(APPRAISER_A, "Phạm Thu Hà")
    await menu(ha, "Hàng chờ thẩm định")
    await ha.expect("Thẩm định</b>")
    message_id, first_unit = ha.button("(")  # the unit with the most items waiting: "Sở … (12)"
    await ha.press_data(message_id, first_unit)
    unit_screen = await ha.expect("🏢 <b>")
    unit_name = re.search(r"🏢 <b>(.+?)</b>", unit_screen["text"]).group(1)
    await ha.press("🔎 ")
    item = await ha.expect("❓")
    code = SHOWN_ITEM.search(item["text"]).group(1)
    accept = ha.button("✅ Chấp nhận")  # the screen stays on her phone
    await ha.press("Điều chỉnh điểm")  # a correction half typed when the results become final
    await ha.expect("Nhập số điểm sau khi điều chỉnh")
    await ha.send("1")
    await ha.expect("Nhập lý do điều chỉnh điểm")
    async with db.read_session() as session:
        answer = (
            await session.execute(
                select(Answer)
                .join(Unit, Unit.id == Answer.unit_id)
                .where(Answer.period_id == period_id, Unit.name == unit_name, Answer.sub_index_code == code)
            )
        ).scalar_one()
        reviews = (await session.execute(select(Review.id).where(Review.answer_id == answer.id))).scalars().all()
    before = await standing(db, period_id, await unit_code(db, answer.unit_id))

    for move in ("appraisal", "provisional", "final"):  # `dti-bot period …` while she is at it
        await periods.move_phase(db, SYSTEM, period_id, move, via="cli", now=utcnow())

    await ha.send("Thiếu tài liệu kiểm chứng")
    refused = await ha.expect("đã được công bố và khóa: không thể thay đổi kết quả thẩm định")
    assert "Kết quả chính thức" in refused["text"]
    await ha.press_data(*accept)
    await ha.expect("đã được công bố và khóa: không thể thay đổi kết quả thẩm định")
    await menu(ha, "Hàng chờ thẩm định")
    start = await ha.expect("Thẩm định</b>")
    assert "Hiện không có kỳ đánh giá nào đang thẩm định" in start["text"]  # not "ask to be assigned"

    async with db.read_session() as session:
        after = await session.get(Answer, answer.id)
        still = (await session.execute(select(Review.id).where(Review.answer_id == answer.id))).scalars().all()
    assert (after.status, after.verified_points, after.revision) == ("submitted", None, answer.revision)
    assert still == reviews
    assert await standing(db, period_id, await unit_code(db, answer.unit_id)) == before


async def test_a_draft_min_max_value_of_one_unit_does_not_move_another_units_points(demo_bot, person):
    db = demo_bot
    period_id, _snv = await snv(db)
    async with db.read_session() as session:
        peer = (
            await session.execute(
                select(Answer)
                .join(Unit, Unit.id == Answer.unit_id)
                .where(Answer.period_id == period_id, Unit.code == "P-CAOLANH", Answer.sub_index_code == "3.4")
            )
        ).scalar_one()
    assert peer.status == "submitted" and Decimal(peer.raw["value"]) < 9000  # a draft of 9000 would set the range
    hai = person(700010, "Đỗ Thanh Hải")  # the leader of Phường Cao Lãnh
    await menu(hai, "Xếp hạng")
    shown = shown_points(await hai.expect("Xếp hạng — Phường Cao Lãnh"))
    scores = await period_scores(db, period_id)
    before = scores.cohort_of("P-CAOLANH").entry("P-CAOLANH").result

    hung = person(700003, "Trần Văn Hùng")  # the focal point of Xã Mỹ An, same cohort
    await open_item(hung, "3.4")
    await hung.send("9000")
    await hung.expect("✅ Đã ghi 3.4")
    async with db.read_session() as session:
        draft = (
            await session.execute(
                select(Answer)
                .join(Unit, Unit.id == Answer.unit_id)
                .where(Answer.period_id == period_id, Unit.code == "X-MYAN", Answer.sub_index_code == "3.4")
            )
        ).scalar_one()
    assert (draft.status, Decimal(draft.raw["value"])) == ("draft", Decimal(9000))

    scores = await period_scores(db, period_id)
    after = scores.cohort_of("P-CAOLANH").entry("P-CAOLANH").result
    assert after.subs["3.4"].points == before.subs["3.4"].points == Decimal(10)
    assert after.points == before.points
    await menu(hai, "Xếp hạng")
    assert shown_points(await hai.expect("Xếp hạng — Phường Cao Lãnh")) == shown


async def test_editing_an_accepted_answer_sends_it_back_to_appraisal_and_the_ranking_stops_counting_it(
    demo_bot, person, tmp_path
):
    db = demo_bot
    period_id, unit_id = await snv(db)
    await prepare(db, EvidenceStore(tmp_path / "data" / "evidence"), period_id, unit_id, left=("1.1", "3.4"))
    async with db.session() as session, session.begin():  # submitted and approved: in appraisal
        leader = (await session.execute(select(Person.id).where(Person.telegram_id == LEADER))).scalar_one()
        await session.execute(
            update(Answer)
            .where(Answer.period_id == period_id, Answer.unit_id == unit_id)
            .values(status="submitted", submitted_at=utcnow())
        )
        session.add_all(
            [
                UnitApproval(period_id=period_id, unit_id=unit_id, action="submit", person_id=leader),
                UnitApproval(period_id=period_id, unit_id=unit_id, action="approve", person_id=leader),
            ]
        )
    ha, lan = person(APPRAISER_A, "Phạm Thu Hà"), person(FOCAL, "Nguyễn Thị Lan")
    await open_unit(ha)
    await ha.press("🔎 1.2")
    await ha.expect("· 1.2 ")
    await ha.press("✅ Chấp nhận")
    await ha.expect("Sở Nội vụ: 7 chỉ số đang chờ")  # the unit's next item: 1.2 is decided
    accepted = (await answers_of(db, period_id, unit_id))["1.2"]
    assert (accepted.status, accepted.verified_points) == ("accepted", Decimal(6))
    counted = await standing(db, period_id)
    tuan = person(LEADER, "Lê Minh Tuấn")
    await menu(tuan, "Xếp hạng")
    ranked = shown_points(await tuan.expect("Xếp hạng — Sở Nội vụ"))
    assert ranked == (cents(counted[0]), counted[1])

    card = await open_item(lan, "1.2")
    assert "✅ Trạng thái: đạt" in card["text"]
    await lan.press("Không")
    card = await lan.expect("Đã ghi 1.2: 0/6 điểm")
    if "<b>1.2 " not in card["text"]:  # the receipt and the card: one message or two
        card = await lan.expect("<b>1.2 ")
    assert "⏳ Trạng thái: chờ thẩm định" in card["text"]

    edited = (await answers_of(db, period_id, unit_id))["1.2"]
    assert (edited.status, edited.self_points, edited.verified_points) == ("submitted", Decimal(0), None)
    async with db.read_session() as session:
        reopened = (
            await session.execute(
                select(AnswerHistory).where(AnswerHistory.answer_id == edited.id, AnswerHistory.action == "reopen")
            )
        ).scalar_one()
    assert Decimal(reopened.old["verified_points"]) == Decimal(6)  # history keeps them
    scores = await period_scores(db, period_id)
    item = scores.cohort_of("SNV").entry("SNV").result.subs["1.2"]
    assert (item.points, item.verified_points) == (Decimal(0), None)
    assert (await standing(db, period_id))[0] == counted[0] - Decimal(6)
    await menu(tuan, "Xếp hạng")  # the leader's ranking no longer counts the 6 verified points
    assert shown_points(await tuan.expect("Xếp hạng — Sở Nội vụ")) == (ranked[0] - Decimal(6), ranked[1])
    unit = await open_unit(ha)  # back in the appraiser's queue
    assert "1.2" in CODE.findall(unit["text"])
