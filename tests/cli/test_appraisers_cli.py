"""`dti-bot people assign | unassign`: appraisers' domains from the command line, on the demo province."""

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def cli(tmp_path):
    # the machine's own DTI_* settings (CI's DTI_REQUIRE_*, a database URL) are not this command's
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(DTI_DATA_DIR=str(tmp_path / "data"), DTI_BOT_USERNAME="dti_test_bot")
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "--create"], env=env, check=True, capture_output=True)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )

    return run


def test_a_coordinator_assigns_an_appraiser_to_indices_and_a_cohort_and_mistakes_get_one_vietnamese_line(cli):
    assert cli("demo", "seed").returncode == 0
    period = str(
        next(p["id"] for p in json.loads(cli("period", "list", "--format", "json").stdout) if p["state"] == "open")
    )

    assigned = cli("people", "assign", "700006", "--period", period, "--scope", "4, 2.3", "--cohort", "xa-phuong")
    assert assigned.returncode == 0, assigned.stderr
    assert "Đã phân công thêm 2 phạm vi." in assigned.stdout and "Phạm Thu Hà" in assigned.stdout
    assert "4, 2.3 (khối xã, phường)" in assigned.stdout

    again = cli("people", "assign", "Phạm Thu Hà", "--period", period, "--scope", "4", "--cohort", "xa-phuong")
    assert again.returncode == 0 and "Đã phân công thêm 0 phạm vi." in again.stdout  # already held: unchanged

    removed = cli("people", "unassign", "700006", "--period", period, "--scope", "2.3")
    assert removed.returncode == 0 and "Đã gỡ 1 phạm vi." in removed.stdout and "2.3" not in removed.stdout

    for args, said in [
        (("700006", "--period", period, "--scope", "9"), "Không có trong bộ chỉ số: 9"),
        (("700001", "--period", period, "--scope", "1"), "không có vai trò thẩm định viên"),
        (("999", "--period", period, "--scope", "1"), "Không tìm thấy người dùng “999”"),
        (("700006", "--period", period, "--scope", "1", "--cohort", "huyen"), "Không có khối “huyen”"),
        (("700006", "--period", "999", "--scope", "1"), "999"),
    ]:
        refused = cli("people", "assign", *args)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) <= 2  # the database line, then one sentence
