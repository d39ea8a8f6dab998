"""Which answers need evidence: only those that earn points, as the framework declares."""

from decimal import Decimal as D

import pytest

from scoring.errors import FrameworkError
from scoring.evidence import evidence_missing, evidence_needed
from scoring.loader import load_framework_text

FRAMEWORK = """
id: ev
title: Khung thử tài liệu kiểm chứng
total_points: 50
indices:
  - code: "1"
    name: Một
    max_points: 50
    sub_indices:
      - code: "1.1"
        name: Có kế hoạch
        question: "?"
        max_points: 10
        method: {type: yes_no}
        evidence: {required: true, kinds: [file]}
      - code: "1.2"
        name: Ban chỉ đạo
        question: "?"
        max_points: 10
        method:
          type: options
          options:
            - {code: head, label: Thủ trưởng, fraction: 1}
            - {code: deputy, label: Cấp phó, fraction: 0.5, evidence: false}
            - {code: none, label: Chưa có, fraction: 0}
        evidence: {required: true, kinds: [document_ref]}
      - code: "1.3"
        name: Văn bản
        question: "?"
        max_points: 10
        criteria:
          - {code: a, name: Quy chế, points: 6}
          - {code: b, name: Cập nhật trên cổng, points: 4, evidence: false}
        method: {type: criteria}
        evidence: {required: true, kinds: [file]}
      - code: "1.4"
        name: Tỷ lệ hồ sơ trực tuyến
        question: "?"
        max_points: 10
        method: {type: ratio}
        evidence: {required: true, kinds: [file], explanation_allowed: true}
      - code: "1.5"
        name: Tuyên truyền
        question: "?"
        max_points: 10
        method: {type: yes_no}
        evidence: {required: false, kinds: [link]}
"""


@pytest.fixture(scope="module")
def fw():
    return load_framework_text(FRAMEWORK, "ev.yaml")


def test_a_yes_that_earns_points_needs_evidence(fw):
    assert evidence_needed(fw.sub_index("1.1"), {"yes": True}, D(10))


def test_a_no_needs_no_evidence(fw):
    assert not evidence_needed(fw.sub_index("1.1"), {"yes": False}, D(0))
    assert not evidence_needed(fw.sub_index("1.1"), {"yes": False}, None)  # even with the points unknown
    assert not evidence_missing(fw.sub_index("1.1"), {"yes": False}, D(0), pieces=0)


def test_an_answer_earning_zero_points_needs_no_evidence(fw):
    assert not evidence_needed(fw.sub_index("1.2"), {"option": "none"}, D(0))
    assert not evidence_needed(fw.sub_index("1.4"), {"a": "0", "b": "50"}, D(0))
    assert evidence_needed(fw.sub_index("1.4"), {"a": "10", "b": "50"}, D(2))


def test_an_option_the_framework_frees_from_evidence_needs_none(fw):
    sub = fw.sub_index("1.2")
    assert not evidence_needed(sub, {"option": "deputy"}, D(5))
    assert evidence_needed(sub, {"option": "head"}, D(10))


def test_criteria_need_evidence_only_when_a_ticked_criterion_asks_for_it(fw):
    sub = fw.sub_index("1.3")
    assert not evidence_needed(sub, {"criteria": ["b"]}, D(4))
    assert evidence_needed(sub, {"criteria": ["a", "b"]}, D(10))


def test_an_unanswered_item_or_optional_evidence_is_never_missing(fw):
    assert not evidence_needed(fw.sub_index("1.1"), None, None)
    assert not evidence_needed(fw.sub_index("1.5"), {"yes": True}, D(10))


def test_points_not_known_yet_still_ask_for_evidence(fw):
    assert evidence_needed(fw.sub_index("1.4"), {"a": "10", "b": "50"}, None)


def test_an_explanation_stands_in_for_evidence_only_where_the_framework_allows_it(fw):
    ratio, yes_no = fw.sub_index("1.4"), fw.sub_index("1.1")
    assert evidence_missing(ratio, {"a": "1", "b": "2"}, D(5), pieces=0)
    assert not evidence_missing(ratio, {"a": "1", "b": "2"}, D(5), pieces=0, explanation="Số liệu từ hệ thống của tỉnh")
    assert evidence_missing(ratio, {"a": "1", "b": "2"}, D(5), pieces=0, explanation="   ")
    assert evidence_missing(yes_no, {"yes": True}, D(10), pieces=0, explanation="Đang trình ký")
    assert not evidence_missing(yes_no, {"yes": True}, D(10), pieces=1)


def test_a_framework_with_a_wrong_evidence_flag_is_refused():
    bad = FRAMEWORK.replace(
        "evidence: {required: true, kinds: [file], explanation_allowed: true}",
        "evidence: {required: true, kinds: [file], explanation_allowed: perhaps}",
    )
    with pytest.raises(FrameworkError, match="explanation_allowed"):
        load_framework_text(bad, "bad.yaml")
    bad = FRAMEWORK.replace("fraction: 0.5, evidence: false", "fraction: 0.5, evidence: maybe")
    with pytest.raises(FrameworkError, match="evidence"):
        load_framework_text(bad, "bad.yaml")
