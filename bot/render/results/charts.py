"""Charts as PNG bytes (matplotlib, no screen): a unit's points per index against the cohort
average and the maximum, and the cohort's ranking with the unit highlighted.

Figures are made without pyplot (no global state): the handlers draw them on worker threads, several
at once."""

from __future__ import annotations

import io
from decimal import Decimal

from matplotlib.figure import Figure

from bot.i18n import _
from bot.services.results.leader import Standing

HIGHLIGHT, OTHERS, AVERAGE, MAXIMUM = "#d9480f", "#9db4c8", "#495057", "#dee2e6"


def _png(figure) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def index_chart(view: Standing) -> bytes:
    result = view.entry.result
    codes = [c for c, node in result.indices.items() if node.max_points > 0]
    entries = [e for e in view.cohort.entries]
    average = [sum((e.result.indices[c].points for e in entries), Decimal(0)) / len(entries) for c in codes]
    labels = [f"{c}. {view.index_names.get(c, c)}" for c in codes]
    figure = Figure(figsize=(8, 0.55 * len(codes) + 1.5))
    axis = figure.subplots()
    y = range(len(codes))
    axis.barh(
        [n + 0.2 for n in y],
        [float(result.indices[c].max_points) for c in codes],
        height=0.4,
        color=MAXIMUM,
        label=_("Maximum"),
    )
    axis.barh(
        [n + 0.2 for n in y],
        [float(result.indices[c].points) for c in codes],
        height=0.4,
        color=HIGHLIGHT,
        label=view.unit_name,
    )
    axis.barh([n - 0.2 for n in y], [float(a) for a in average], height=0.4, color=AVERAGE, label=_("Cohort average"))
    axis.set_yticks(list(y), labels)
    axis.invert_yaxis()
    axis.set_xlabel(_("Points"))
    axis.set_title(_("Points per index — {unit}").format(unit=view.unit_name))
    axis.legend(loc="lower right", fontsize=8)
    return _png(figure)


def ranking_chart(view: Standing) -> bytes:
    ranked = view.cohort.ranked
    names = [
        (e.name if view.show_peer_names or e.code == view.unit_code else _("Unit {rank}").format(rank=e.rank))
        for e in ranked
    ]
    values = [float(e.result.value) for e in ranked]
    colors = [HIGHLIGHT if e.code == view.unit_code else OTHERS for e in ranked]
    figure = Figure(figsize=(8, 0.28 * len(ranked) + 1.5))
    axis = figure.subplots()
    axis.barh(range(len(ranked)), values, color=colors)
    axis.set_yticks(range(len(ranked)), [f"{e.rank}. {n}" for e, n in zip(ranked, names, strict=True)], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlim(0, 1)
    axis.set_xlabel(_("DTI value"))
    axis.set_title(_("Ranking — {cohort}").format(cohort=view.cohort.name))
    return _png(figure)
