"""`dti-bot period start | appraisal | provisional | final | reopen`: each move asks first (unless
--yes), says where the period stands now, records who (the command line), why and the date it set;
going back needs a reason; a mistyped value is one Vietnamese line and exit code 2."""

from __future__ import annotations

import pytest

from tests.cli import test_period_cycle as cycle
from tests.cli.test_period_cycle import changes, open_2026, state


@pytest.fixture
def dti(tmp_path, monkeypatch):
    """`dti-bot …` in this process, on a database of its own (as in test_period_cycle)."""
    return cycle.dti.__wrapped__(tmp_path, monkeypatch)


def test_a_period_walks_its_phases_from_the_command_line_each_move_recorded(dti, tmp_path):
    assert open_2026(dti).exit_code == 0  # deadline 15/12/2026; today is 24/11/2026
    declined = dti("period", "appraisal", "--period", "1", stdin="n\n")
    assert declined.exit_code == 1 and "đến hết ngày 06/01/2027. [y/N]" in declined.stdout  # 15 working days
    assert "Không có thay đổi nào." in declined.stdout and state(dti, 1) == "open" and changes(tmp_path) == []
    moved = dti("period", "appraisal", "--period", "1", stdin="y\n")
    assert moved.exit_code == 0 and state(dti, 1) == "locked"
    assert "Đang thẩm định; đơn vị bổ sung hồ sơ đến 06/01/2027." in moved.stdout
    provisional = dti("period", "provisional", "--period", "1", "--until", "2026-12-04", "--yes")
    assert provisional.exit_code == 0 and "đơn vị gửi kiến nghị đến 04/12/2026." in provisional.stdout
    final = dti("period", "final", "--period", "1", "--reason", "QĐ 99/QĐ-UBND", "--yes")
    assert final.exit_code == 0 and "kỳ đánh giá đã khóa" in final.stdout and state(dti, 1) == "published"
    back = dti("period", "reopen", "--period", "1", "--to", "appraisal", "--reason", "Rà soát lại chỉ số 3", "--yes")
    assert back.exit_code == 0 and state(dti, 1) == "locked"
    assert changes(tmp_path) == [
        (1, "appraisal", "open", "locked", None, "2027-01-06", "", "cli"),
        (1, "provisional", "locked", "provisional", None, "2026-12-04", "", "cli"),
        (1, "final", "provisional", "published", None, None, "QĐ 99/QĐ-UBND", "cli"),
        (1, "reopen", "published", "locked", None, None, "Rà soát lại chỉ số 3", "cli"),
    ]


def test_going_back_without_a_reason_or_to_a_phase_that_does_not_exist_is_refused_in_one_line(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    assert dti("period", "appraisal", "--period", "1", "--yes").exit_code == 0
    for args in (
        ("--reason", "  "),
        ("--reason", "Sai", "--to", "xuất bản"),
        ("--reason", "Rà soát lại", "--to", "provisional"),  # not back: forward
    ):
        refused = dti("period", "reopen", "--period", "1", *args, "--yes")
        assert refused.exit_code == 2 and "Traceback" not in refused.stderr, args
        assert len(refused.stderr.strip().splitlines()) == 1
    missing = dti("period", "reopen", "--period", "1", "--yes")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    unlock = dti("period", "unlock", "--period", "1")
    assert unlock.exit_code == 2 and "--reason" in unlock.stderr
    assert state(dti, 1) == "locked" and len(changes(tmp_path)) == 1


def test_a_bad_or_past_date_and_a_move_out_of_turn_are_refused(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    written = dti("period", "appraisal", "--period", "1", "--until", "06/01/2027", "--yes")
    assert written.exit_code == 2 and "YYYY-MM-DD" in written.stderr
    early = dti("period", "appraisal", "--period", "1", "--until", "2026-12-01", "--yes")
    assert early.exit_code == 2 and "không được sớm hơn hạn tự đánh giá (15/12/2026)" in early.stderr
    out_of_turn = dti("period", "final", "--period", "1", "--yes")
    assert out_of_turn.exit_code == 2 and "công bố kết quả chính thức" in out_of_turn.stderr
    assert state(dti, 1) == "open" and changes(tmp_path) == []
    assert dti("period", "appraisal", "--period", "1", "--yes").exit_code == 0
    past = dti("period", "provisional", "--period", "1", "--until", "2026-11-01", "--yes")
    assert past.exit_code == 2 and "Ngày 01/11/2026 đã qua (hôm nay là 24/11/2026)." in past.stderr


def test_the_older_names_still_work_and_each_is_recorded(dti, tmp_path):
    assert open_2026(dti).exit_code == 0
    assert dti("period", "lock", "--period", "1").exit_code == 0 and state(dti, 1) == "locked"
    unlocked = dti("period", "unlock", "--period", "1", "--reason", "Đơn vị xin gia hạn")
    assert unlocked.exit_code == 0 and state(dti, 1) == "open"
    assert [row[1:4] + row[6:] for row in changes(tmp_path)] == [
        ("lock", "open", "locked", "", "cli"),
        ("unlock", "locked", "open", "Đơn vị xin gia hạn", "cli"),
    ]


def test_a_move_before_its_time_says_what_is_not_finished_and_the_default_objection_window(dti, tmp_path):
    assert open_2026(dti).exit_code == 0  # deadline 15/12/2026; today is Tuesday 24/11/2026
    early = dti("period", "appraisal", "--period", "1", stdin="n\n")
    assert early.exit_code == 1 and "⚠️ Còn 21 ngày đến hạn chót tự đánh giá (15/12/2026).\n" in early.stdout
    assert "Vẫn chuyển" not in early.stdout  # the command line asks its own question, once
    moved = dti("period", "appraisal", "--period", "1", "--yes")
    assert moved.exit_code == 0 and "⚠️ Còn 21 ngày đến hạn chót" in moved.stdout  # said, even without asking
    provisional = dti("period", "provisional", "--period", "1", stdin="n\n")
    assert "⚠️ Đơn vị còn được bổ sung hồ sơ đến hết ngày 06/01/2027." in provisional.stdout
    assert "đến hết ngày 01/12/2026 (5 ngày làm việc kể từ ngày công bố kết quả tạm thời). [y/N]" in provisional.stdout
    assert state(dti, 1) == "locked"
