"""Rankings as machine output (JSON, CSV) and as rows of a human table (Vietnamese numbers)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

from bot.i18n import _
from bot.render.numbers import vn_number
from bot.services.safe_text import csv_cell
from scoring import CohortResult, Framework, plain

MACHINE_COLUMNS = ("cohort", "rank", "unit_code", "unit_name", "points", "value", "max_points")


def ranking_records(framework: Framework, cohorts: Mapping[str, CohortResult]) -> list[dict[str, object]]:
    """One record per unit, ordered by cohort then rank; points and value as decimal strings."""
    places_points, places_value = framework.rounding.points, framework.rounding.value
    return [
        {
            "cohort": cohort.code,
            "rank": entry.rank,
            "unit_code": entry.code,
            "unit_name": entry.name,
            "points": plain(entry.result.points, places_points),
            "value": plain(entry.result.value, places_value),
            "max_points": plain(entry.result.max_points, places_points),  # the unit's own maximum
        }
        for cohort in cohorts.values()
        for entry in cohort.entries
    ]


def ranking_json(records: Iterable[Mapping[str, object]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2)


def ranking_csv(records: Iterable[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MACHINE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if record[k] is None else csv_cell(record[k]) for k in MACHINE_COLUMNS})
    return buffer.getvalue()


def ranking_table_headers() -> list[str]:
    return [_("Cohort"), _("Rank"), _("Code"), _("Unit"), _("Points"), _("DTI value")]


def ranking_table_rows(framework: Framework, cohorts: Mapping[str, CohortResult]) -> list[list[str]]:
    rows = []
    for cohort in cohorts.values():
        for entry in cohort.entries:
            rows.append(
                [
                    cohort.name or "—",
                    str(entry.rank) if entry.rank is not None else _("not ranked"),
                    entry.code,
                    entry.name,
                    # over the unit's own maximum (not-applicable items shrink it), as on every screen
                    f"{vn_number(entry.result.points, framework.rounding.points)}"
                    f"/{vn_number(entry.result.max_points, framework.rounding.points, trim=True)}",
                    vn_number(entry.result.value, framework.rounding.value),
                ]
            )
    return rows
