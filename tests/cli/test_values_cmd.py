"""`dti-bot values import`: a file of figures other agencies provide, previewed row by row in
Vietnamese (refused rows with the reason), then saved; .csv and .xlsx alike."""

import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import Workbook

ROWS = [
    ["Mã đơn vị", "Mã chỉ số", "Giá trị", "Ghi chú"],
    ["SNV", "6.3", "0,82", "Sở Nội vụ, QĐ 5/QĐ-SNV"],
    ["STC", "6.3", "0.6", ""],
    ["SYT", "6.3", "1,4", ""],  # out of range
    ["KHONG-CO", "6.3", "0,5", ""],  # unknown unit
    ["STP", "1.1", "1", ""],  # the units answer it themselves
]


@pytest.fixture
def cli(tmp_path):
    # the machine's own DTI_* settings (CI's DTI_REQUIRE_*, a database URL) are not this command's
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(DTI_DATA_DIR=str(tmp_path / "data"), DTI_BOT_USERNAME="dti_test_bot")
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "--create"], env=env, check=True, capture_output=True)

    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            input=stdin,
        )

    assert run("demo", "seed").returncode == 0
    return run


def open_period(cli) -> str:
    periods = json.loads(cli("period", "list", "--format", "json").stdout)
    return str(next(p for p in periods if p["state"] == "open")["id"])


def test_a_csv_of_figures_is_previewed_then_its_good_rows_saved_and_bad_rows_refused(cli, tmp_path):
    (tmp_path / "so-lieu.csv").write_text("\n".join(";".join(r) for r in ROWS), encoding="utf-8")
    period = open_period(cli)
    declined = cli("values", "import", "--period", period, "so-lieu.csv", stdin="n\n")
    assert declined.returncode == 1
    assert "✔ Dòng 2: SNV · 6.3 = 0,82 (8,2 điểm) — Sở Nội vụ, QĐ 5/QĐ-SNV" in declined.stdout
    assert "Dòng 4: Giá trị của chỉ số 6.3 phải từ 0 đến 1, nhận được 1,4." in declined.stdout
    assert "Dòng 5: Không có đơn vị KHONG-CO" in declined.stdout
    assert "Dòng 6: Chỉ số thành phần 1.1 do đơn vị tự đánh giá" in declined.stdout
    assert "Có 2 dòng hợp lệ (0 không thay đổi); 3 dòng bị từ chối." in declined.stdout

    saved = cli("values", "import", "--period", period, "so-lieu.csv", stdin="y\n")
    assert saved.returncode == 2  # saved, but some rows were refused: the operator must look
    assert "Đã lưu 2 số liệu (0 không thay đổi); 3 dòng bị từ chối." in saved.stdout
    again = cli("values", "import", "--period", period, "so-lieu.csv", "--yes")
    assert "Có 2 dòng hợp lệ (2 không thay đổi)" in again.stdout and "Không có gì cần lưu." in again.stdout


def test_an_xlsx_of_figures_is_read_the_same_way(cli, tmp_path):
    book = Workbook()
    for row in ROWS[:2] + ROWS[3:4]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "so-lieu.xlsx").write_bytes(buffer.getvalue())
    period = open_period(cli)
    saved = cli("values", "import", "--period", period, "so-lieu.xlsx", "--yes")
    assert "✔ Dòng 2: SNV · 6.3 = 0,82 (8,2 điểm)" in saved.stdout
    assert "✖ Dòng 3: Giá trị của chỉ số 6.3 phải từ 0 đến 1, nhận được 1,4." in saved.stdout
    assert "Đã lưu 1 số liệu (0 không thay đổi); 1 dòng bị từ chối." in saved.stdout and saved.returncode == 2


def test_an_oversized_file_is_refused_before_it_is_read_and_nothing_is_saved(cli, tmp_path):
    with open(tmp_path / "qua-lon.csv", "wb") as big:  # sparse: 6 MB on paper, nothing on the disk
        big.truncate(6 * 1024 * 1024)
    period = open_period(cli)
    refused = cli("values", "import", "--period", period, "qua-lon.csv", "--yes")
    assert refused.returncode == 2
    assert "Tệp lớn hơn 5 MB: tệp số liệu thường chỉ vài KB." in refused.stderr
    assert "Đã lưu" not in refused.stdout
