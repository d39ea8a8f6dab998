"""Issue 14, points 2, 3, 4 (the card) and 7, through the real bot and the emulator: input goes where
the person is, one live card, no dead ends on the card, and a receipt of the submission."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import select, update

from bot.services.demo.files import pdf
from storage.models import Answer, Evidence, Period
from tests.e2e.harness import BotProcess, Person
from tests.e2e.taps import live_button_messages


async def start(person: Person, campaign, unit: str = "SNV") -> None:
    await person.send(f"/start {await campaign.invite(unit)}")
    await person.expect("Bạn đã được đăng ký làm đầu mối")
    await person.press("Tự đánh giá")
    await person.expect("1.1 Người đứng đầu")


async def open_item(person: Person, code: str) -> dict:
    await person.press("Danh sách")
    await person.expect_button(f" {code}")
    await person.press(f" {code}")
    return await person.expect(f"<b>{code} ")


async def submit(person: Person) -> None:
    await person.press("Danh sách")
    await person.expect_button("Tổng hợp")
    await person.press("Tổng hợp")
    await person.expect_button("Nộp kết quả")
    await person.press("Nộp kết quả")
    await person.expect_button("Đồng ý nộp")
    await person.press("Đồng ý nộp")


async def stored(db, code: str):
    async with db.session() as session:
        return (await session.execute(select(Answer.raw).where(Answer.sub_index_code == code))).scalar_one_or_none()


async def evidence_rows(db, kind: str) -> list[Evidence]:
    async with db.session() as session:
        return list((await session.execute(select(Evidence).where(Evidence.kind == kind))).scalars())


def texts(events: list[dict]) -> list[str]:
    return [e["message"].get("text") or "" for e in events]


# -- point 2: input goes where the person is ---------------------------------------------------------
async def test_a_link_pasted_on_the_answer_step_becomes_evidence_and_the_number_is_still_asked(
    bot: BotProcess, campaign, person
):
    lan = person(710401)
    await start(lan, campaign)
    card = await open_item(lan, "1.3")
    assert "📎" in card["text"]  # the card says what sending a link or a file does now
    await lan.send("https://snv.dongthap.gov.vn/tin-tuc/chuyen-doi-so")
    receipt = await lan.expect("Đã nhận tài liệu kiểm chứng")
    assert "không phải là số" not in receipt["text"]
    [link] = await evidence_rows(campaign.db, "link")
    assert link.url == "https://snv.dongthap.gov.vn/tin-tuc/chuyen-doi-so"
    assert await stored(campaign.db, "1.3") is None  # evidence, not an answer
    await lan.send("9")  # the card still asks for the number
    await lan.expect("✅ Đã ghi 1.3: 4/6 điểm")


async def test_a_number_typed_on_the_evidence_step_answers_the_item(bot: BotProcess, campaign, person):
    lan = person(710402)
    await start(lan, campaign)
    await open_item(lan, "1.3")
    await lan.send("9")
    await lan.expect("✅ Đã ghi 1.3: 4/6 điểm")  # the card is at the item's evidence now
    await lan.send("12")
    receipt = await lan.expect("Đã ghi 1.3")
    assert "đường dẫn" not in receipt["text"]  # never "“12” không phải là đường dẫn"
    assert await stored(campaign.db, "1.3") == {"count": "12"}


async def test_a_document_cited_in_one_message_is_recognised_by_its_form_on_the_answer_step(
    bot: BotProcess, campaign, person
):
    lan = person(710403)
    await start(lan, campaign)
    await open_item(lan, "1.2")
    await lan.send("Kế hoạch số 45/KH-SNV ngày 15/02/2026 về chuyển đổi số năm 2026")
    await lan.expect("📄 Đã lưu trích dẫn văn bản.")
    [cited] = await evidence_rows(campaign.db, "document_ref")
    assert (cited.doc_number, cited.doc_date, cited.doc_summary) == (
        "45/KH-SNV",
        date(2026, 2, 15),
        "Kế hoạch về chuyển đổi số năm 2026",
    )
    await lan.press("Có")  # the item is still to be answered, on the same card
    await lan.expect("✅ Đã ghi 1.2")


async def test_text_the_evidence_step_cannot_take_gets_what_typing_does_there(bot: BotProcess, campaign, person):
    lan = person(710404)
    await start(lan, campaign)
    await lan.press("Phó Thủ trưởng")
    await lan.expect("✅ Đã ghi 1.1")
    await lan.send("đã gửi bản giấy")
    answer = await lan.expect("Chưa hiểu “đã gửi bản giấy”")
    assert "trích dẫn văn bản theo mẫu: số hiệu, ngày, trích yếu" in answer["text"]
    assert "không phải là đường dẫn" not in answer["text"]


async def test_every_answered_item_has_an_add_evidence_button(bot: BotProcess, campaign, person):
    lan = person(710405)
    await start(lan, campaign)
    await lan.press("Phó Thủ trưởng")
    await lan.expect("✅ Đã ghi 1.1")
    await lan.press("Tiếp")
    await lan.expect("<b>1.2 ")
    await lan.press("Trước")
    await lan.expect("<b>1.1 ")
    await lan.expect_button("➕ Thêm tài liệu")
    await lan.press("➕ Thêm tài liệu")
    card = await lan.expect("hoặc trích dẫn văn bản. Bấm “Tiếp”")  # what sending does now…
    assert "<b>1.1 " in card["text"]
    assert "dán đường dẫn" not in card["text"] and "ảnh" not in card["text"]  # …only what 1.1 takes: file, citation


# -- point 3: one live card ----------------------------------------------------------------------------
async def test_the_card_is_edited_in_place_and_comes_back_at_the_bottom_only_when_scrolled_away(
    bot: BotProcess, campaign, person
):
    lan = person(710406)
    await start(lan, campaign)
    await lan.quiet(0.5)
    first_card, _ = lan.button("Phó Thủ trưởng")
    await lan.press("Phó Thủ trưởng")  # a tap edits the card: no new message
    await lan.expect("✅ Đã ghi 1.1")
    await lan.press("Tiếp")
    await lan.expect("<b>1.2 ")
    shown = await lan.quiet(1.0)
    assert [e["kind"] for e in shown if e["message"].get("from", {}).get("is_bot")] == []  # all consumed: edits
    assert lan.button("Có")[0] == first_card

    await open_item(lan, "1.3")
    await lan.send("9")  # typed: the card is edited, a short receipt comes below it
    receipt = await lan.expect("✅ Đã ghi 1.3: 4/6 điểm")
    assert "reply_markup" not in receipt and "<b>1.3 " not in receipt["text"]
    assert lan.messages[first_card]["text"].count("<b>1.3 ") == 1  # the card itself shows the item
    assert live_button_messages(lan) == 1

    await lan.send("10")
    await lan.expect("Đã ghi 1.3")
    await lan.quiet(0.5)
    assert lan.button("Tiếp")[0] == first_card  # still in view: still the same card
    await lan.send("11")
    await lan.expect("Đã ghi 1.3")
    await lan.quiet(1.0)
    new_card, _ = lan.button("Tiếp")
    assert new_card > first_card  # scrolled away: the card came back at the bottom…
    assert "reply_markup" not in lan.messages[first_card]  # …and the old one lost its buttons
    assert live_button_messages(lan) == 1


async def test_an_old_cards_button_acts_on_its_own_item_and_says_so_or_refreshes_to_the_current_card(
    bot: BotProcess, campaign, person
):
    lan = person(710407)
    await start(lan, campaign)
    await open_item(lan, "1.2")
    card, yes_on_12 = lan.button("Có")
    _, back_on_12 = lan.button("Trước")
    await open_item(lan, "1.3")  # the person moves on; the old buttons are still in a stale client

    await lan.press_data(card, back_on_12)  # a move from the old card: never from the wrong place
    assert "bạn đang ở chỉ số 1.3" in (await lan.expect("Thẻ này đã cũ"))["text"]
    await lan.quiet(0.5)
    assert "<b>1.3 " in lan.messages[card]["text"]  # still at 1.3, not moved to 1.1

    await lan.press_data(card, yes_on_12)  # an answer from the old card: for its own item, said so
    await lan.expect("Thẻ cũ: đã thực hiện cho chỉ số 1.2")
    assert await stored(campaign.db, "1.2") == {"yes": True}
    assert "<b>1.2 " in (await lan.expect("✅ Đã ghi 1.2"))["text"]


# -- point 4, the card: no dead ends ---------------------------------------------------------------------
async def test_back_on_the_first_item_says_there_is_nothing_before_it(bot: BotProcess, campaign, person):
    lan = person(710408)
    await start(lan, campaign)
    await lan.quiet(0.5)
    await lan.press("Trước")
    await lan.expect("Đây là chỉ số đầu tiên, không có chỉ số nào trước đó.")
    assert [e for e in await lan.quiet(1.0) if e["kind"] == "edit"] == []  # nothing moved


async def test_after_the_deadline_the_card_says_read_only_and_why(bot: BotProcess, campaign, person):
    lan = person(710409)
    await start(lan, campaign)
    await lan.press("Phó Thủ trưởng")
    await lan.expect("✅ Đã ghi 1.1")
    await submit(lan)
    await lan.expect("📨")
    await lan.quiet(1.0)
    async with campaign.db.session() as session, session.begin():
        yesterday = date.today() - timedelta(days=1)
        await session.execute(update(Period).where(Period.id == campaign.period_id).values(deadline=yesterday))
    await lan.send("/tiep")
    card = await lan.expect("🔒")
    assert "chỉ xem" in card["text"] or "không thể sửa" in card["text"] or "khóa" in card["text"].lower(), card
    assert "cho đến hạn" not in card["text"] and "vẫn có thể" not in card["text"]
    await lan.press("Danh sách")
    await lan.expect_button("Tổng hợp")
    live, _ = lan.button("Tổng hợp")
    await lan.press("Tổng hợp")
    await lan.quiet(1.0)
    summary = lan.messages[live]["text"]  # the card, edited into the summary
    assert "Tổng hợp kết quả tự đánh giá" in summary
    assert "🔒" in summary and "Vẫn có thể sửa" not in summary


# -- point 7: a receipt ---------------------------------------------------------------------------------
async def test_after_submission_each_focal_point_gets_a_receipt_with_the_sha256_of_each_file(
    bot: BotProcess, campaign, person, emulator
):
    lan, minh = person(710410), person(710411, "Trần Văn Minh")
    await start(lan, campaign)
    await minh.send(f"/start {await campaign.invite('SNV')}")
    await minh.expect("Bạn đã được đăng ký làm đầu mối")
    decision = pdf("Quyet dinh 12/QD-SNV")
    await lan.press("Phó Thủ trưởng")
    await lan.expect("✅ Đã ghi 1.1")
    await lan.upload(decision, "quyet-dinh-12.pdf")
    await lan.expect("Đã nhận tài liệu kiểm chứng")
    await submit(lan)
    digest = hashlib.sha256(decision).hexdigest()
    for who in (lan, minh):
        receipt = await _receipt(who, emulator)
        assert "Sở Nội vụ" in receipt and "1.1 Người đứng đầu" in receipt
        assert "quyet-dinh-12.pdf" in receipt and digest in receipt
        assert "4/8 điểm" in receipt
    [evidence] = await evidence_rows(campaign.db, "document")
    assert evidence.content_key == digest


async def _receipt(who: Person, emulator) -> str:
    """The receipt's text: the message itself, or the text file sent with a short caption."""
    message = await who.expect("🧾")  # the receipt inline, or a text file with a short caption
    if "document" in message:
        data = emulator.state.files[message["document"]["file_id"]].data
        return data.decode("utf-8-sig")
    return message["text"]
