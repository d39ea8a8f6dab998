"""Shipped frameworks match the verified facts; invalid files are refused naming the file and item."""

from decimal import Decimal as D

import pytest

from scoring.errors import FrameworkError
from scoring.loader import available_frameworks, find_framework, load_framework_text
from scoring.methods import METHOD_KINDS


def test_the_department_framework_has_the_verified_indices_and_points(so):
    assert so.total_points == D(200)
    assert [(i.name, i.max_points) for i in so.indices] == [
        ("Nhận thức số", 20),
        ("Thể chế số", 20),
        ("Hạ tầng số", 40),
        ("Nhân lực số", 30),
        ("An toàn thông tin mạng", 40),
        ("Hoạt động chính quyền số", 50),
    ]
    assert len(so.sub_indices) == 21
    assert all(s.illustrative for s in so.sub_indices)
    assert so.decision_number == "1397/QĐ-UBND-HC" and so.decision_date.isoformat() == "2022-12-20"


def test_the_district_framework_has_the_verified_indices_and_points(huyen):
    assert huyen.total_points == D(400)
    assert [(i.name, i.max_points) for i in huyen.indices] == [
        ("Nhận thức số", 60),
        ("Thể chế số", 20),
        ("Hạ tầng số", 50),
        ("Nhân lực số", 50),
        ("An toàn thông tin mạng", 40),
        ("Hoạt động chính quyền số", 90),
        ("Kinh tế số", 70),
        ("Xã hội số", 20),
    ]
    assert len(huyen.sub_indices) == 35
    assert all(s.illustrative for s in huyen.sub_indices)


def test_the_national_framework_has_nine_indices_in_the_published_order(qd922):
    assert qd922.total_points == D(1000)
    assert [(i.code, i.name, i.max_points) for i in qd922.indices] == [
        ("1", "Nhận thức số", 100),
        ("2", "Thể chế số", 100),
        ("3", "Hạ tầng số", 100),
        ("4", "Nhân lực số", 100),
        ("5", "An toàn thông tin mạng", 100),
        ("6", "Đô thị thông minh", 0),
        ("7", "Hoạt động chính quyền số", 200),
        ("8", "Hoạt động kinh tế số", 150),
        ("9", "Hoạt động xã hội số", 150),
    ]


def test_the_shipped_frameworks_together_use_every_scoring_method(so, huyen, qd922):
    used = {s.method.kind for fw in (so, huyen, qd922) for s in fw.sub_indices}
    assert used == set(METHOD_KINDS)
    variants = {
        (s.method.variant, s.method.direction)
        for fw in (so, huyen)
        for s in fw.sub_indices
        if s.method.kind == "minmax"
    }
    assert {v for v, _ in variants} == {"minmax", "max_ratio"} and {d for _, d in variants} == {"higher", "lower"}


def test_every_shipped_framework_is_found_by_its_id():
    assert {"qd922-tinh", "dongthap-1397-so", "dongthap-1397-huyen"} <= set(available_frameworks())
    assert find_framework("qd922-tinh").name == "qd922-tinh.yaml"


def test_an_unknown_framework_id_lists_the_known_ones():
    with pytest.raises(FrameworkError, match="qd922-tinh"):
        find_framework("no-such-framework")


BASE = """
id: t
title: T
total_points: {total}
indices:
  - code: "1"
    name: Một
    max_points: 10
    sub_indices:
      - {{code: "1.1", name: A, question: "?", max_points: 6, method: {method}}}
      - {{code: "{second}", name: B, question: "?", max_points: 4, method: {{type: yes_no}}}}
"""


@pytest.mark.parametrize(
    ("case", "fields", "item", "problem"),
    [
        ("a duplicate code", {"second": "1.1"}, "sub-index 1.1", "duplicate code"),
        ("indices not summing to the total", {"total": 12}, "framework", "sum to 10, not to 12"),
        ("an unknown method", {"method": "{type: lottery}"}, "sub-index 1.1", "unknown method"),
        ("bad method parameters", {"method": "{type: ratio, full_at: 2}"}, "sub-index 1.1", "full_at"),
        ("a typo in a field name", {"method": "{type: yes_no}, max_point: 3"}, "sub-index 1.1", "unknown field"),
    ],
)
def test_an_invalid_framework_is_refused_naming_the_file_and_the_item(case, fields, item, problem):
    values = {"total": 10, "method": "{type: yes_no}", "second": "1.2"} | fields
    with pytest.raises(FrameworkError) as info:
        load_framework_text(BASE.format(**values), "broken.yaml")
    assert info.value.source == "broken.yaml"
    assert info.value.item == item
    assert problem in info.value.problem
    assert str(info.value).startswith("broken.yaml: " + item)


def test_sub_indices_not_summing_to_their_index_are_refused():
    text = BASE.format(total=10, method="{type: yes_no}", second="1.2").replace("max_points: 4", "max_points: 3")
    with pytest.raises(FrameworkError, match="index 1: the points of its sub-indices sum to 9, not to 10"):
        load_framework_text(text, "broken.yaml")


def test_a_file_that_is_not_yaml_is_refused():
    with pytest.raises(FrameworkError, match="not valid YAML"):
        load_framework_text("id: [unclosed", "broken.yaml")


def test_a_framework_based_on_another_takes_its_tree_and_overrides_top_level_fields(so):
    from scoring.loader import load_framework

    demo = load_framework("frameworks/demo-tinh-2026.yaml")
    assert demo.id == "demo-tinh-2026" and demo.illustrative
    assert [c.code for c in demo.ranking.cohorts] == ["so-nganh", "xa-phuong"]
    assert [s.code for s in demo.sub_indices] == [s.code for s in so.sub_indices]


def test_a_circular_base_chain_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b\nid: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("base: a\nid: b\n", encoding="utf-8")
    from scoring.loader import load_framework

    with pytest.raises(FrameworkError, match="circular"):
        load_framework(tmp_path / "a.yaml")
