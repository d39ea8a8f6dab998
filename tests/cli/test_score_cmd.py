"""`dti-bot score` run as a real command on files it has never seen."""

import json
import subprocess
import sys

import pytest

HEADER = "unit_code,unit_name,cohort,1,2,3,4,5,7,8,9\n"
DA_NANG = "DNG,Đà Nẵng,,1.0000,0.9000,0.8253,0.8487,0.7578,0.8575,0.7836,0.5197\n"


def run(*args):
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60)


def write(tmp_path, text, name="values.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_json_output_ranks_every_cohort_with_decimal_strings(tmp_path):
    csv_text = (
        HEADER
        + DA_NANG
        + (
            'HUE,Huế,mien-trung,"0,5","0,5","0,5","0,5","0,5","0,5","0,5","0,5"\n'
            "QNA,Quảng Nam,mien-trung,0.6,0.6,0.6,0.6,0.6,0.6,0.6,0.6\n"
            "HCM,TP. Hồ Chí Minh,,1,0.9,0.8253,0.8487,0.7578,0.8575,0.7836,0.5197\n"
        )
    )
    out = run("score", "--framework", "qd922-tinh", "--values", str(write(tmp_path, csv_text)), "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["cohort"], r["rank"], r["unit_code"]) for r in rows] == [
        ("", 1, "DNG"),
        ("", 1, "HCM"),
        ("mien-trung", 1, "QNA"),
        ("mien-trung", 2, "HUE"),
    ]
    assert rows[0] == {
        "cohort": "",
        "rank": 1,
        "unit_code": "DNG",
        "unit_name": "Đà Nẵng",
        "points": "800.18",
        "value": "0.8002",
        "max_points": "1000.00",
    }


def test_csv_and_table_outputs_carry_the_same_figures(tmp_path):
    path = write(tmp_path, HEADER + DA_NANG)
    csv_out = run("score", "--framework", "qd922-tinh", "--values", str(path), "--format", "csv")
    assert csv_out.stdout.splitlines() == [
        "cohort,rank,unit_code,unit_name,points,value,max_points",
        ",1,DNG,Đà Nẵng,800.18,0.8002,1000.00",
    ]
    table = run("score", "--framework", "qd922-tinh", "--values", str(path))
    assert "800,18/1.000" in table.stdout and "0,8002" in table.stdout


def test_a_semicolon_separated_file_from_a_vietnamese_excel_is_read(tmp_path):
    text = "unit_code;unit_name;cohort;1;2;3;4;5;7;8;9\nDNG;Đà Nẵng;;1;0,9;0,8253;0,8487;0,7578;0,8575;0,7836;0,5197\n"
    out = run("score", "--framework", "qd922-tinh", "--values", str(write(tmp_path, text)), "--format", "json")
    assert json.loads(out.stdout)[0]["value"] == "0.8002"


@pytest.mark.parametrize(
    ("case", "text", "needle"),
    [
        ("an unknown index code", HEADER.replace(",9", ",X") + DA_NANG, "Dòng 1: Mã chỉ số không có trong khung: X"),
        (
            "a value above one",
            HEADER + DA_NANG.replace("0.5197", "1.5197"),
            "Dòng 2: Giá trị của chỉ số 9 phải nằm trong khoảng 0..1",
        ),
        ("a duplicate unit", HEADER + DA_NANG + DA_NANG, "Dòng 3: Mã đơn vị DNG bị trùng (đã có ở dòng 2)"),
        (
            "text for a value",
            HEADER + DA_NANG.replace("0.7836", "cao"),
            "Dòng 2: Giá trị của chỉ số 8 không phải là số",
        ),
        (
            "a missing index column",
            HEADER.replace(",9", "") + DA_NANG.rsplit(",", 1)[0] + "\n",
            "Dòng 1: Thiếu cột cho chỉ số: 9",
        ),
        ("a short row", HEADER + "DNG,Đà Nẵng,,1,1\n", "Dòng 2: Dòng có 5 cột, cần 11 cột"),
        ("an empty file", "", "Tệp trống"),
    ],
)
def test_bad_input_gets_a_vietnamese_message_with_the_line_and_exit_code_2(tmp_path, case, text, needle):
    out = run("score", "--framework", "qd922-tinh", "--values", str(write(tmp_path, text)), "--format", "json")
    assert out.returncode == 2
    assert needle in out.stderr
    assert out.stdout == ""


def test_a_file_not_saved_as_utf8_is_refused_clearly(tmp_path):
    path = write(tmp_path, HEADER + DA_NANG, encoding="utf-16")
    out = run("score", "--framework", "qd922-tinh", "--values", str(path))
    assert out.returncode == 2 and "UTF-8" in out.stderr


def test_an_unknown_framework_is_refused_with_exit_code_2(tmp_path):
    out = run("score", "--framework", "nope", "--values", str(write(tmp_path, HEADER + DA_NANG)))
    assert out.returncode == 2 and "qd922-tinh" in out.stderr


def test_framework_check_names_the_item_at_fault(tmp_path):
    bad = write(
        tmp_path,
        "id: x\ntitle: X\ntotal_points: 5\nindices:\n  - {code: '1', name: A, max_points: 4}\n",
        name="bad.yaml",
    )
    out = run("framework", "check", str(bad))
    assert out.returncode == 2 and "bad.yaml" in out.stderr and "framework" in out.stderr
    ok = run("framework", "check", "frameworks/dongthap-1397-so.yaml")
    assert ok.returncode == 0 and "21" in ok.stdout
