"""Names that explain themselves: every public use case says what the person experiences, a button
verb means one thing, and a verb renamed since still works on buttons already in people's chats."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.render.actions import VERBS, Action, parse

ROOT = Path(__file__).resolve().parents[1]


def _use_cases_without_docstring(folder: Path) -> list[str]:
    missing = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.AsyncFunctionDef)
                and not node.name.startswith("_")
                and "db" in [a.arg for a in node.args.args]
                and not ast.get_docstring(node)
            ):
                missing.append(f"{path.relative_to(folder.parent).as_posix()}:{node.lineno} {node.name}")
    return missing


def test_every_public_use_case_has_a_docstring():
    assert _use_cases_without_docstring(ROOT / "bot" / "services") == []


def test_the_docstring_check_finds_a_use_case_without_one(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "x.py").write_text(
        'async def said(db):\n    """Shown."""\n\n\nasync def silent(db, actor):\n    pass\n', encoding="utf-8"
    )
    assert _use_cases_without_docstring(tmp_path / "services") == ["services/x.py:5 silent"]


def test_the_summary_button_is_named_for_the_summary_and_buttons_sent_before_the_rename_still_work():
    assert "smy" in VERBS and "sub" not in VERBS
    assert parse(Action("smy", 1, 2).pack()) == Action("smy", 1, 2)
    assert parse("sub|1|2||confirm") == Action("smy", 1, 2, "", "confirm")


def test_every_answer_status_and_period_state_has_a_label_of_its_own():
    from bot.render.labels import answer_status_label, period_state_label
    from scoring.states import AnswerStatus, PeriodState

    answer_labels = {answer_status_label(s) for s in AnswerStatus}
    period_labels = {period_state_label(s) for s in PeriodState}
    assert len(answer_labels) == len(AnswerStatus) and not answer_labels & {s.value for s in AnswerStatus}
    assert len(period_labels) == len(PeriodState) and not period_labels & {s.value for s in PeriodState}


def test_a_forged_page_or_evidence_number_is_not_a_button_the_bot_sent():
    from bot.render.actions import Action, parse

    assert parse("lst|1|2||3") == Action("lst", 1, 2, "", "3") and parse("evd|1|2|1.1|17") is not None
    assert parse("lst|1|2||a.b") is None and parse("evd|1|2|1.1|-1") is None and parse("evd|1|2|1.1|1e3") is None
