"""The yearly cycle cannot be broken by one command: publishing an open period asks first and can be
taken back with a reason, a second period of a framework and year needs a reason, a deadline moves,
and a results file gets every bad line reported."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.services.access import SYSTEM
from bot.services.campaign.periods import change_state, open_period, set_deadline
from bot.services.errors import ServiceError
from storage.models import PeriodChange
from storage.types import utcnow

FRAMEWORK = "dongthap-1397-so"


@pytest.fixture
def dti(tmp_path, monkeypatch):
    """`dti-bot …` in this process, on a database of its own created as deploy.md says."""
    for name in list(os.environ):
        if name.startswith("DTI_"):
            monkeypatch.delenv(name)
    env_file = tmp_path / "env"
    env_file.write_text(f"DTI_DATA_DIR={tmp_path / 'data'}\n", encoding="utf-8")
    env_file.chmod(0o600)
    monkeypatch.setenv("DTI_ENV_FILE", str(env_file))
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)

    assert run("db", "upgrade", "--create").exit_code == 0
    return run


def changes(tmp_path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "dti.db") as conn:
        return conn.execute(
            "SELECT period_id, action, from_state, to_state, old_deadline, new_deadline, reason, via "
            "FROM period_change ORDER BY id"
        ).fetchall()


def state(dti, period: int) -> str:
    return next(p["state"] for p in json.loads(dti("period", "list", "--format", "json").stdout) if p["id"] == period)


def open_2026(dti, *extra: str):
    return dti("period", "open", "--framework", FRAMEWORK, "--year", "2026", "--deadline", "2026-12-15", *extra)


def test_publishing_an_open_period_asks_first_and_no_answer_publishes_nothing(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    for answer in ("n\n", ""):  # "no", and the end of input (a script that forgot --yes)
        refused = dti("period", "publish", "--period", "1", stdin=answer)
        assert refused.exit_code == 1 and "vẫn đang mở" in refused.stdout
        assert "Chưa công bố gì." in refused.stdout
        assert state(dti, 1) == "open"
    assert changes(tmp_path) == []
    published = dti("period", "publish", "--period", "1", stdin="y\n")
    assert published.exit_code == 0 and state(dti, 1) == "published"
    assert changes(tmp_path) == [(1, "publish", "open", "published", None, None, "", "cli")]


def test_a_locked_period_is_published_without_a_question_and_yes_skips_it(dti):
    assert open_2026(dti).exit_code == 0
    assert dti("period", "lock", "--period", "1").exit_code == 0
    locked = dti("period", "publish", "--period", "1")
    assert locked.exit_code == 0 and "?" not in locked.stdout and state(dti, 1) == "published"
    assert open_2026(dti, "--again", "kỳ bổ sung").exit_code == 0
    assert dti("period", "publish", "--period", "2", "--yes").exit_code == 0 and state(dti, 2) == "published"


def test_published_results_are_taken_back_only_with_a_reason_which_is_recorded(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    assert dti("period", "publish", "--period", "1", "--yes").exit_code == 0
    blank = dti("period", "unpublish", "--period", "1", "--reason", "  ")
    assert blank.exit_code == 2 and "--reason" in blank.stderr and state(dti, 1) == "published"
    taken_back = dti("period", "unpublish", "--period", "1", "--reason", "Số liệu sở A sai, công bố lại sau")
    assert taken_back.exit_code == 0 and "đang thẩm định" in taken_back.stdout and state(dti, 1) == "locked"
    assert changes(tmp_path)[-1] == (
        1,
        "unpublish",
        "published",
        "locked",
        None,
        None,
        "Số liệu sở A sai, công bố lại sau",
        "cli",
    )
    again = dti("period", "unpublish", "--period", "1", "--reason", "lần nữa")
    assert again.exit_code == 2 and "Traceback" not in again.stderr


def test_a_second_period_for_the_same_framework_and_year_needs_a_reason(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    second = open_2026(dti)
    assert second.exit_code == 2
    assert second.stderr.strip().splitlines()[-1] == (
        f"Đã có kỳ đánh giá 1 cho bộ chỉ số {FRAMEWORK}, năm 2026. "
        'Muốn mở thêm kỳ thứ hai, hãy nêu lý do bằng --again "…".'
    )
    assert len(json.loads(dti("period", "list", "--format", "json").stdout)) == 1
    assert dti("period", "open", "--framework", FRAMEWORK, "--year", "2027", "--deadline", "2027-11-30").exit_code == 0
    forced = open_2026(dti, "--again", "mở lại sau khi đổi bộ chỉ số")
    assert forced.exit_code == 0
    assert changes(tmp_path) == [(3, "open_again", "", "open", None, None, "mở lại sau khi đổi bộ chỉ số", "cli")]


def test_a_deadline_moves_and_is_recorded_but_not_before_the_opening_nor_once_published(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    moved = dti("period", "deadline", "--period", "1", "--date", "2026-12-31", "--reason", "UBND tỉnh gia hạn")
    assert moved.exit_code == 0 and "15/12/2026 → 31/12/2026" in moved.stdout
    assert json.loads(dti("period", "list", "--format", "json").stdout)[0]["deadline"] == "2026-12-31"
    assert changes(tmp_path) == [
        (1, "deadline", "open", "open", "2026-12-15", "2026-12-31", "UBND tỉnh gia hạn", "cli")
    ]
    early = dti("period", "deadline", "--period", "1", "--date", "2026-01-01")
    assert early.exit_code == 2 and "sớm hơn ngày mở kỳ đánh giá (24/11/2026)" in early.stderr
    bad = dti("period", "deadline", "--period", "1", "--date", "31/12/2026")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
    assert dti("period", "publish", "--period", "1", "--yes").exit_code == 0
    late = dti("period", "deadline", "--period", "1", "--date", "2027-01-15")
    assert late.exit_code == 2 and "đã công bố" in late.stderr
    assert len(changes(tmp_path)) == 2  # the deadline change and the publication


def test_results_import_reports_every_bad_line_and_saves_nothing(dti, tmp_path):
    (tmp_path / "units.csv").write_text(
        "code,name,cohort\nSNV,Sở Nội vụ,so-nganh\nSTC,Sở Tài chính,so-nganh\n", encoding="utf-8"
    )
    assert dti("units", "import", str(tmp_path / "units.csv")).exit_code == 0
    assert open_2026(dti).exit_code == 0
    header = "unit_code,unit_name,cohort,1,2,3,4,5,6"
    good = "0.5,0.5,0.5,0.5,0.5,0.5"
    (tmp_path / "results.csv").write_text(
        "\n".join(
            [
                header,
                f"SNV,Sở Nội vụ,so-nganh,{good}",
                "STC,Sở Tài chính,so-nganh,0.5,abc,0.5,0.5,0.5,0.5",
                f"SXX,Sở không có,so-nganh,{good}",
                "SNV,Sở Nội vụ,so-nganh,0.5,0.5,0.5,0.5,0.5,1.5",
                "SKH,Sở KH&ĐT,so-nganh,0.5",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = dti("results", "import", "--period", "1", str(tmp_path / "results.csv"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert "4 dòng có lỗi" in lines[-5]
    assert [line.strip().split(":")[0] for line in lines[-4:]] == ["Dòng 3", "Dòng 4", "Dòng 5", "Dòng 6"]
    with sqlite3.connect(tmp_path / "data" / "dti.db") as conn:
        assert conn.execute("SELECT count(*) FROM published_result").fetchone() == (0,)


async def test_the_period_rules_hold_on_both_database_engines(db):
    first = await open_period(db, SYSTEM, FRAMEWORK, 2026, date(2026, 12, 15))
    with pytest.raises(ServiceError) as refused:
        await open_period(db, SYSTEM, FRAMEWORK, 2026, date(2026, 12, 15))
    assert (refused.value.reason, refused.value.details["period"]) == ("period_exists", first.id)
    second = await open_period(db, SYSTEM, FRAMEWORK, 2026, date(2026, 12, 20), again_reason="kỳ bổ sung")
    old, moved = await set_deadline(db, SYSTEM, first.id, date(2026, 12, 31), "gia hạn")
    assert (old, moved.deadline) == (date(2026, 12, 15), date(2026, 12, 31))
    await change_state(db, SYSTEM, first.id, "publish", now=utcnow())
    with pytest.raises(ServiceError) as no_reason:
        await change_state(db, SYSTEM, first.id, "unpublish", " ", now=utcnow())
    assert no_reason.value.reason == "reason_required"
    assert (await change_state(db, SYSTEM, first.id, "unpublish", "sai số liệu", now=utcnow())).state == "locked"
    async with db.read_session() as session:
        rows = (await session.execute(select(PeriodChange).order_by(PeriodChange.id))).scalars().all()
    assert [(r.period_id, r.action, r.from_state, r.to_state, r.reason) for r in rows] == [
        (second.id, "open_again", "", "open", "kỳ bổ sung"),
        (first.id, "deadline", "open", "open", "gia hạn"),
        (first.id, "publish", "open", "published", ""),
        (first.id, "unpublish", "published", "locked", "sai số liệu"),
    ]
    assert (rows[1].old_deadline, rows[1].new_deadline) == (date(2026, 12, 15), date(2026, 12, 31))
