"""Charts as PNG bytes (matplotlib, no screen), drawn for a 360 px phone held upright: a unit's
points per index against the cohort average and the maximum, the top of its cohort's ranking with
the unit highlighted, and its points per index this year against the previous period.

Every number is written the Vietnamese way (decimal comma, dot thousands: `vn_tick`), each row's
label sits above its bar (no name squeezed into a margin), the legend sits above the plot (never on
the bars), and a footer says which unit, which period and which day. Captions for the photos are in
`bot.render.results.leader`.

Figures are made without pyplot (no global state): the handlers draw them on worker threads, several
at once. The `*_figure` functions return the figure (tests read its tick labels), `*_chart` its PNG."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.i18n import _
from bot.render.numbers import vn_date, vn_number
from bot.services.results.leader import Standing, YearOverYear
from scoring import RankedUnit

HIGHLIGHT, OTHERS, AVERAGE, MAXIMUM, BEFORE = "#d9480f", "#9db4c8", "#212529", "#e9ecef", "#74a9cf"
TEXT, MUTED = "#212529", "#6c757d"
WIDTH = 4.0  # inches: at 200 dpi an 800 px image that a 360 px phone shows about 300 px wide
DPI = 200
ROW = 0.62  # inches per row: a label line above a bar
RANKING_ROW = 0.5
FONT, SMALL, TITLE = 11.5, 10, 13.5
TOP = 10  # units shown at the top of a ranking
LINE = 44  # characters of a label line across the chart


def vn_tick(value: float, _position: object = None) -> str:
    """An axis number the Vietnamese way: 0.2 → "0,2", 1000 → "1.000", 12.5 → "12,5"."""
    number = Decimal(repr(float(value))).quantize(Decimal("0.001")).normalize()
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return vn_number(number, places)


def _points(value: Decimal) -> str:
    """Points on a chart: at most two decimals, none for whole numbers (14,56 — 20)."""
    return vn_number(value, 2, trim=True)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.12, facecolor="white")
    return buffer.getvalue()


def _figure(rows: int, row: float = ROW) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH, row * rows + 1.1))
    FigureCanvasAgg(figure)  # a canvas of its own: tick labels can be read after `canvas.draw()`
    axis = figure.add_axes((0.02, 0.0, 0.96, 1.0))
    return figure, axis


def _frame(axis: Axes, rows: int, limit: float) -> None:
    """Rows top to bottom, labels above bars, a Vietnamese number axis at the bottom."""
    axis.set_ylim(rows - 0.45, -0.75)
    axis.set_xlim(0, limit)
    axis.set_yticks([])
    axis.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axis.xaxis.set_major_formatter(FuncFormatter(vn_tick))
    axis.tick_params(axis="x", labelsize=SMALL, colors=MUTED)
    for side in ("top", "right", "left"):
        axis.spines[side].set_visible(False)
    axis.spines["bottom"].set_color(MUTED)
    axis.grid(axis="x", color="#dee2e6", linewidth=0.6)
    axis.set_axisbelow(True)


def _label(axis: Axes, row: float, text: str, value: str = "", bold: bool = False) -> None:
    """A row's name above its bar, left, and its figure, right; a name too long for one phone-wide
    line is shortened with "…" (the caption and the screens give it whole)."""
    weight = "bold" if bold else "normal"
    text = _short(text, LINE - len(value) - 3)
    axis.text(0, row - 0.3, text, fontsize=FONT, color=TEXT, va="bottom", ha="left", weight=weight, clip_on=False)
    if value:
        axis.text(
            1, row - 0.3, value, fontsize=FONT, color=TEXT, va="bottom", ha="right", weight=weight,
            transform=axis.get_yaxis_transform(), clip_on=False,
        )  # fmt: skip


def _head(axis: Axes, title: str, handles: list, footer: str) -> None:
    """Title and legend above the plot, the footer under the axis: nothing covers a bar."""
    axis.set_title(title, loc="left", fontsize=TITLE, weight="bold", color=TEXT, pad=34 if handles else 10)
    if handles:
        axis.legend(
            handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(len(handles), 3),
            frameon=False, fontsize=SMALL, handlelength=1.2, columnspacing=1.0, borderaxespad=0.3,
        )  # fmt: skip
    axis.annotate(
        footer, xy=(0, 0), xycoords="axes fraction", xytext=(0, -30), textcoords="offset points",
        fontsize=SMALL - 1, color=MUTED, ha="left", va="top", annotation_clip=False,
    )  # fmt: skip


def _footer(view: Standing, today: date | None, first: str = "") -> str:
    parts = [first or view.unit_name, view.period_title]
    if today is not None:
        parts.append(_("data of {date}").format(date=vn_date(today)))
    text = " · ".join(parts)
    return "\n".join(_wrap(text[:1].upper() + text[1:], 58))


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# -- points per index ---------------------------------------------------------------------------


def index_figure(view: Standing, *, today: date | None = None) -> Figure:
    result = view.entry.result
    codes = [c for c, node in result.indices.items() if node.max_points > 0]
    entries = list(view.cohort.entries)
    average = {c: sum((e.result.indices[c].points for e in entries), Decimal(0)) / len(entries) for c in codes}
    figure, axis = _figure(len(codes))
    top = max(float(result.indices[c].max_points) for c in codes)
    for row, code in enumerate(codes):
        node = result.indices[code]
        axis.barh(row, float(node.max_points), height=0.36, color=MAXIMUM)
        axis.barh(row, float(node.points), height=0.36, color=HIGHLIGHT)
        axis.plot([float(average[code])] * 2, [row - 0.26, row + 0.26], color=AVERAGE, linewidth=2.2)
        name = f"{code}. {view.index_names.get(code, code)}"
        _label(axis, row, name, f"{_points(node.points)}/{_points(node.max_points)}")
    _frame(axis, len(codes), top * 1.02)
    handles = [
        Patch(color=HIGHLIGHT, label=_short(view.unit_name, 22)),
        Line2D([], [], color=AVERAGE, linewidth=2.2, label=_("Cohort average")),
        Patch(color=MAXIMUM, label=_("Maximum")),
    ]
    _head(axis, _("Points per index"), handles, _footer(view, today))
    return figure


def index_chart(view: Standing, *, today: date | None = None) -> bytes:
    return _png(index_figure(view, today=today))


# -- ranking ------------------------------------------------------------------------------------


def ranking_rows(view: Standing, top: int = TOP) -> list[RankedUnit | None]:
    """The units a phone-sized ranking shows: the top of the cohort, then — if it is not among
    them — a gap (None) and the unit itself."""
    ranked = view.cohort.ranked
    shown: list[RankedUnit | None] = list(ranked[:top])
    if not any(e is not None and e.code == view.unit_code for e in shown):
        shown += [None, view.entry]
    return shown


def _ranking_name(view: Standing, entry: RankedUnit) -> str:
    if view.show_peer_names or entry.code == view.unit_code:
        return entry.name
    return _("Unit ranked {rank}").format(rank=entry.rank)


def ranking_figure(view: Standing, *, today: date | None = None, top: int = TOP) -> Figure:
    shown = ranking_rows(view, top)
    figure, axis = _figure(len(shown), RANKING_ROW)
    places, stats = view.places_value, view.cohort.stats
    for row, entry in enumerate(shown):
        if entry is None:
            axis.text(0, row - 0.1, "⋯", fontsize=TITLE, color=MUTED, va="center", ha="left")
            continue
        mine = entry.code == view.unit_code
        axis.barh(row + 0.04, float(entry.result.value), height=0.34, color=HIGHLIGHT if mine else OTHERS)
        if stats is not None:  # the average as a mark on each bar: a line across would cross the names
            axis.plot([float(stats.average_value)] * 2, [row - 0.16, row + 0.24], color=AVERAGE, linewidth=1.6)
        rank = "—" if entry.rank is None else str(entry.rank)
        _label(axis, row, f"{rank}. {_ranking_name(view, entry)}", vn_number(entry.result.value, places), mine)
    _frame(axis, len(shown), 1.0)
    handles = [Patch(color=HIGHLIGHT, label=_short(view.unit_name, 22))]
    if stats is not None:
        label = _("Cohort average {value}").format(value=vn_number(stats.average_value, places))
        handles.append(Line2D([], [], color=AVERAGE, linewidth=1.6, label=label))
    ranked = len(view.cohort.ranked)
    scope = _("{cohort}: the top {count} of {total}").format(
        cohort=view.cohort.name, count=min(top, ranked), total=ranked
    )
    _head(axis, _("DTI value ranking"), handles, _footer(view, today, scope))
    return figure


def ranking_chart(view: Standing, *, today: date | None = None, top: int = TOP) -> bytes:
    return _png(ranking_figure(view, today=today, top=top))


# -- this year against the previous period ------------------------------------------------------


def year_over_year_figure(view: YearOverYear, *, today: date | None = None) -> Figure:
    standing = view.standing
    indices = view.indices
    figure, axis = _figure(len(indices))
    top = max(float(i.max_points) for i in indices)
    for row, index in enumerate(indices):
        axis.barh(row, float(index.max_points), height=0.44, color=MAXIMUM)
        if index.points_before is not None:
            axis.barh(row - 0.11, float(index.points_before), height=0.2, color=BEFORE)
        axis.barh(row + 0.11, float(index.points), height=0.2, color=HIGHLIGHT)
        before = "—" if index.points_before is None else _points(index.points_before)
        _label(axis, row, f"{index.code}. {index.name}", f"{before} → {_points(index.points)}")
    _frame(axis, len(indices), top * 1.02)
    handles = [
        Patch(color=BEFORE, label=standing.previous_title or _("previous period")),
        Patch(color=HIGHLIGHT, label=str(standing.year)),
        Patch(color=MAXIMUM, label=_("Maximum")),
    ]
    _head(axis, _("Against the previous year"), handles, _footer(standing, today))
    return figure


def year_over_year_chart(view: YearOverYear, *, today: date | None = None) -> bytes:
    return _png(year_over_year_figure(view, today=today))
