from pathlib import Path

import pytest

from scoring.loader import load_framework, load_framework_text

FRAMEWORKS = Path(__file__).resolve().parents[2] / "frameworks"


@pytest.fixture(scope="session")
def so():
    return load_framework(FRAMEWORKS / "dongthap-1397-so.yaml")


@pytest.fixture(scope="session")
def huyen():
    return load_framework(FRAMEWORKS / "dongthap-1397-huyen.yaml")


@pytest.fixture(scope="session")
def qd922():
    return load_framework(FRAMEWORKS / "qd922-tinh.yaml")


SMALL = """
id: small
title: Khung nhỏ
total_points: 30
not_applicable: {na}
ranking:
  compare: value
  bands: [{{label: trên trung bình, min_percent: 50}}, {{label: dưới trung bình, min_percent: 0}}]
  cohorts: [{{code: a, name: khối A}}]
pillars:
  - code: P
    name: Trụ cột
    max_points: 30
    indices:
      - code: "1"
        name: Một
        max_points: 20
        sub_indices:
          - {{code: "1.1", name: Có/không, question: "?", max_points: 10, method: {{type: yes_no}}}}
          - {{code: "1.2", name: Tỷ lệ, question: "?", max_points: 10, method: {{type: ratio}},
              applies_if: {{has_public_services: true}}}}
      - code: "2"
        name: Hai
        max_points: 10
        sub_indices:
          - {{code: "2.1", name: So sánh, question: "?", max_points: 10, method: {{type: minmax}}}}
"""


def small_framework(na: str = "shrink_max"):
    return load_framework_text(SMALL.format(na=na), "small.yaml")
