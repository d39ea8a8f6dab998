"""A focal point's whole journey, driven over HTTP through the Bot API emulator against the real bot."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services.demo.files import pdf, png
from storage.models import Answer, AnswerHistory, Evidence
from tests.e2e.harness import BotProcess


async def count(db, model, *where):
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_an_invited_focal_point_answers_every_kind_sends_evidence_survives_a_kill_and_submits(
    bot: BotProcess, campaign, person
):
    lan = person(710001)
    code = await campaign.invite("SNV")
    await lan.send(f"/start {code}")
    await lan.expect("Bạn đã được đăng ký làm đầu mối của Sở Nội vụ")

    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu trực tiếp chỉ đạo chuyển đổi số")
    assert "░" in lan.last_text() and "0/20" in lan.last_text()  # progress bar on every question
    await lan.press("Phó Thủ trưởng")  # tiered option: half of 8
    await lan.expect("✅ Đã ghi 1.1: 4/8 điểm")
    await lan.upload(pdf("Quyet dinh 12/QD-SNV"), "quyet-dinh-12.pdf")
    await lan.expect("📎 Đã nhận tài liệu kiểm chứng.")
    await lan.press("Tiếp")

    await lan.expect("1.2 Ban hành kế hoạch chuyển đổi số năm")
    await lan.press("Có")  # yes/no
    await lan.expect("✅ Đã ghi 1.2: 6/6 điểm")
    await lan.press("Trích dẫn văn bản")
    await lan.expect("Nhập số hiệu văn bản")
    await lan.send("45/KH-SNV")
    await lan.expect("Nhập ngày ban hành")
    await lan.send("31/13/2026")
    await lan.expect("Nhập một ngày đã qua")  # a wrong date is refused, nothing lost
    await lan.send("15/02/2026")
    await lan.expect("Nhập trích yếu")
    await lan.send("Kế hoạch chuyển đổi số năm 2026 của Sở Nội vụ")
    await lan.expect("📄 Đã lưu trích dẫn văn bản.")
    await lan.press("Tiếp")

    await lan.expect("1.3 Tuyên truyền về chuyển đổi số")
    await lan.send("chín")
    await lan.expect("không phải là số")
    await lan.send("9")  # count tiers: 8..11 → 4 of 6
    await lan.expect("✅ Đã ghi 1.3: 4/6 điểm")
    await lan.press("Tiếp")

    await lan.expect("2.1 Quy chế quản lý")
    await lan.press("Không")
    await lan.expect("✅ Đã ghi 2.1: 0/6 điểm")
    await lan.press("Tiếp")

    await lan.expect("2.2 Văn bản về chuyển đổi số")
    await lan.press("Quy chế bảo đảm an toàn thông tin mạng")
    await lan.expect_button("✅ Quy chế bảo đảm")
    await lan.press("Kế hoạch ứng dụng")
    await lan.expect_button("✅ Kế hoạch ứng dụng")
    await lan.press("Xong")  # criteria: 3 + 2
    await lan.expect("✅ Đã ghi 2.2: 5/8 điểm")
    await lan.press("Tiếp")

    await lan.expect("2.3 Bố trí kinh phí")
    await lan.send("3")
    await lan.expect("Đã nhận 3. Tiếp theo, hãy nhập: kinh phí theo kế hoạch")
    await lan.send("4")  # ratio 3/4 of 6
    await lan.expect("✅ Đã ghi 2.3: 4,5/6 điểm")
    await lan.press("Tiếp")

    await lan.expect("3.1 Tỷ lệ cán bộ")
    await lan.send("45")
    await lan.expect("Đã nhận 45")
    # The process dies mid-item (SIGKILL: no cleanup), then comes back.
    await bot.kill()
    await bot.start()
    await lan.send("/tiep")
    await lan.expect("Đã nhận 45. Tiếp theo, hãy nhập: tổng số cán bộ")  # exactly where she stopped
    await lan.send("30")
    await lan.expect("không được lớn hơn")  # a above b is refused; the 45 is kept
    await lan.send("50")
    await lan.expect("✅ Đã ghi 3.1: 9/10 điểm")
    await lan.press("Tiếp")

    await lan.expect("3.2 Kết nối mạng truyền số liệu")
    await lan.press("Có")
    await lan.expect("✅ Đã ghi 3.2: 10/10 điểm")
    for n in range(2):  # an album: two photos arrive as two messages sharing a media group
        await lan.upload(png(8, 8, (n * 90, 40, 200)), f"anh-{n}.png", kind="photo", mime="image/png", group="A1")
    await lan.expect("📎 Đã nhận album: lưu 2 tệp cho chỉ số đang mở.")
    assert [t for t in await lan.quiet(1.5) if "album" in (t["message"].get("text") or "")] == []  # one reply
    await lan.press("Tiếp")

    await lan.expect("3.3 Tỷ lệ máy tính")
    await lan.send("95/100")  # a/b in one message; ≥ 90 % earns full points
    await lan.expect("✅ Đã ghi 3.3: 10/10 điểm")
    await lan.press("Tiếp")

    await lan.expect("3.4 Băng thông Internet")
    await lan.send("12,5")  # min-max: alone in the cohort so far → full, provisional
    await lan.expect("✅ Đã ghi 3.4: 10/10 điểm (tạm tính)")
    await lan.press("Tiếp")

    await lan.expect("4.1 Cán bộ phụ trách")
    await lan.press("Danh sách")
    listing = (await lan.expect("Danh sách chỉ số"))["text"]  # the card, edited (receipts came after it)
    assert "✅ 1.1" in listing and "◐ 1.3" not in listing and "⬜ 4.1" in listing
    await lan.press("Trang sau")
    await lan.expect("Công bố dữ liệu mở")
    await lan.press("⬜ 6.4")
    await lan.expect("6.4 Công bố dữ liệu mở")
    await lan.press("Ban hành danh mục dữ liệu mở")
    await lan.press("Xong")
    await lan.expect("✅ Đã ghi 6.4: 4/10 điểm")
    await lan.press("Tiếp")
    summary = (await lan.expect("Tổng hợp kết quả tự đánh giá"))["text"]  # past the last item
    assert "Đã trả lời 11/20" in summary  # 6.3 is entered by coordinators and "Chưa trả lời (tính 0 điểm)" in summary
    assert "Còn thiếu tài liệu kiểm chứng: 2.2" in summary  # 2.1 answered "no" earns nothing: needs no proof
    await lan.press("Nộp kết quả")
    await lan.expect("Nộp kết quả ngay bây giờ?")
    await lan.press("Đồng ý nộp")
    await lan.expect("📨")  # "Đã nộp 11 câu trả lời…" (to the reviewers, or to the unit's leader first)
    receipt = await lan.expect("BIÊN NHẬN NỘP KẾT QUẢ TỰ ĐÁNH GIÁ")  # point 7: the unit's proof of what it sent
    assert "Số chỉ số đã nộp: 11/20" in (receipt.get("text") or receipt.get("caption") or "")

    db = campaign.db
    assert await count(db, Answer, Answer.status == "submitted") == 11
    assert await count(db, Evidence, Evidence.kind == "photo") == 2
    assert await count(db, Evidence, Evidence.kind == "document") == 1
    assert await count(db, Evidence, Evidence.kind == "document_ref") == 1
    async with db.session() as session:
        keys = [
            k for (k,) in await session.execute(select(Evidence.content_key).where(Evidence.content_key.is_not(None)))
        ]
    for key in keys:
        assert (campaign.data_dir / "evidence" / key[:2] / key[2:4] / key).is_file()
    assert await count(db, AnswerHistory, AnswerHistory.action == "submit") == 11


async def test_an_answered_item_can_be_changed_and_its_history_is_kept(bot, campaign, person):
    lan = person(710002)
    await lan.send(f"/start {await campaign.invite('STP')}")
    await lan.expect("Sở Tư pháp")
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    await lan.press("Thủ trưởng đơn vị")
    await lan.expect("8/8 điểm")
    await lan.press("Sửa câu trả lời")
    await lan.expect("Câu trả lời hiện tại: Thủ trưởng đơn vị làm Trưởng ban — 8/8 điểm")
    await lan.press("Chưa có Ban chỉ đạo")
    await lan.expect("✅ Đã ghi 1.1: 0/8 điểm")
    async with campaign.db.session() as session:
        revisions = [
            (r.revision, r.new["raw"])
            for r in (
                await session.execute(
                    select(AnswerHistory).where(AnswerHistory.action == "answer").order_by(AnswerHistory.id)
                )
            ).scalars()
        ]
    assert revisions == [(1, {"option": "head"}), (2, {"option": "none"})]
