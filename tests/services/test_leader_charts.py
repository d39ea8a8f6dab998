"""The leaders' charts and screens as a Vietnamese leader reads them on a phone: numbers with a
decimal comma on the axes and the labels, the legend clear of the bars, a footer and a caption that
say what, which period, which unit and which day, and a ranking that shows the top of the cohort plus
the unit. Drawn from the demo province (30 departments; Sở Nội vụ is outside the top 10)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from matplotlib.patches import Rectangle

from bot.render.results import charts
from bot.render.results.leader import (
    index_chart_caption,
    ranking_chart_caption,
    what_if_menu_screen,
    what_if_screen,
    year_over_year_caption,
    year_over_year_line,
)
from bot.services.access import load_actor
from bot.services.results import leader as results
from storage.types import utcnow
from tests.services.helpers import demo_campaign

LEADER = 700004  # Lê Minh Tuấn, Sở Nội vụ
TODAY = date(2026, 11, 24)


@pytest.fixture
async def leader(db, store):
    await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())  # the frozen campaign clock
    return await load_actor(db, LEADER)


def drawn(figure):
    figure.canvas.draw()
    return figure, figure.axes[0]


def tick_texts(axis) -> list[str]:
    return [t.get_text() for t in axis.get_xticklabels() if t.get_text()]


def test_axis_numbers_are_written_the_vietnamese_way():
    assert [charts.vn_tick(v) for v in (0, 0.2, 0.30000000000000004, 12.5, 1000, 1234.5, -2.5)] == [
        "0",
        "0,2",
        "0,3",
        "12,5",
        "1.000",
        "1.234,5",
        "-2,5",
    ]


async def test_the_ranking_chart_has_decimal_commas_on_its_axis_and_its_values(db, leader):
    view = await results.standing(db, leader)
    _figure, axis = drawn(charts.ranking_figure(view, today=TODAY))
    ticks = tick_texts(axis)
    assert "0,2" in ticks and "0,8" in ticks
    assert not any("." in t for t in ticks), ticks
    values = [t.get_text() for t in axis.texts if re.fullmatch(r"\d,\d{4}", t.get_text())]
    assert len(values) == 11  # the top 10 and the unit


async def test_the_ranking_chart_shows_the_top_ten_and_the_unit_highlighted_below_a_gap(db, leader):
    view = await results.standing(db, leader)
    assert view.entry.rank > 10
    rows = charts.ranking_rows(view)
    assert [e.rank for e in rows[:10]] == [e.rank for e in view.cohort.ranked[:10]]
    assert rows[10] is None and rows[11].code == "SNV"
    _figure, axis = drawn(charts.ranking_figure(view, today=TODAY))
    bars = [p for p in axis.patches if isinstance(p, Rectangle)]
    highlighted = [b for b in bars if b.get_facecolor()[:3] == pytest.approx((0xD9 / 255, 0x48 / 255, 0x0F / 255))]
    assert len(bars) == 11 and len(highlighted) == 1
    mine = next(t for t in axis.texts if t.get_text().startswith(f"{view.entry.rank}. Sở Nội vụ"))
    assert mine.get_weight() == "bold"


async def test_a_unit_in_the_top_ten_is_not_repeated(db, store):
    await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())
    view = await results.standing(db, await load_actor(db, LEADER))
    top = view.cohort.ranked[0]
    moved = type(view)(**{**view.__dict__, "unit_code": top.code, "entry": top})
    rows = charts.ranking_rows(moved)
    assert None not in rows and len(rows) == 10


async def test_the_legend_sits_above_the_bars_and_the_charts_are_upright_for_a_phone(db, leader):
    view = await results.standing(db, leader)
    yoy = await results.year_over_year(db, leader)
    for figure in (
        charts.index_figure(view, today=TODAY),
        charts.ranking_figure(view, today=TODAY),
        charts.year_over_year_figure(yoy, today=TODAY),
    ):
        figure, axis = drawn(figure)
        renderer = figure.canvas.get_renderer()
        legend, plot = axis.get_legend().get_window_extent(renderer), axis.get_window_extent(renderer)
        assert legend.y0 >= plot.y1 - 1, "the legend overlaps the plot"
        width, height = figure.get_size_inches()
        assert width == charts.WIDTH and height > width


async def test_the_index_and_year_charts_write_points_with_a_decimal_comma(db, leader):
    view = await results.standing(db, leader)
    _figure, axis = drawn(charts.index_figure(view, today=TODAY))
    assert axis.xaxis.get_major_formatter()(12.5) == "12,5"
    assert not any("." in t for t in tick_texts(axis))
    figures = [t.get_text() for t in axis.texts if t.get_text().count("/") == 1]  # not the footer's date
    assert len(figures) == 6 and all(re.fullmatch(r"\d+(,\d{1,2})?/\d+", f) for f in figures), figures
    assert any("," in f for f in figures)
    yoy = await results.year_over_year(db, leader)
    _figure, axis = drawn(charts.year_over_year_figure(yoy, today=TODAY))
    moves = [t.get_text() for t in axis.texts if "→" in t.get_text()]
    assert len(moves) == 6 and all(re.fullmatch(r"[\d,—]+ → [\d,]+", m) for m in moves), moves
    assert [t.get_text() for t in axis.get_legend().get_texts()] == ["2025", "2026", "Tối đa"]


async def test_each_chart_says_which_unit_which_period_and_which_day(db, leader):
    view = await results.standing(db, leader)
    for figure in (charts.index_figure(view, today=TODAY), charts.ranking_figure(view, today=TODAY)):
        _, axis = drawn(figure)
        footer = " ".join(t.get_text().replace("\n", " ") for t in axis.texts if "24/11/2026" in t.get_text())
        assert "số liệu ngày 24/11/2026" in footer and "2026" in footer
    index_caption, ranking_caption = index_chart_caption(view, TODAY), ranking_chart_caption(view, TODAY)
    assert "Điểm theo chỉ số chính — Sở Nội vụ" in index_caption and view.period_title in index_caption
    assert "Số liệu ngày 24/11/2026." in index_caption
    assert f"và Sở Nội vụ (hạng {view.entry.rank}/30)" in ranking_caption and "khối sở, ban, ngành" in ranking_caption
    assert len(index_caption) <= 1024 and len(ranking_caption) <= 1024


async def test_the_charts_are_png_images(db, leader):
    view = await results.standing(db, leader)
    yoy = await results.year_over_year(db, leader)
    for png in (charts.index_chart(view), charts.ranking_chart(view), charts.year_over_year_chart(yoy, today=TODAY)):
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


async def test_the_year_over_year_caption_gives_the_change_in_points_and_rank(db, leader):
    yoy = await results.year_over_year(db, leader)
    now, before = yoy.standing.entry, yoy.before
    line = year_over_year_line(yoy)
    assert line.startswith("So với năm 2025: ") and f"hạng {before.rank} → {now.rank}" in line
    delta = now.result.points - before.result.points
    written = ("-" if delta < 0 else "+") + format(abs(delta).quantize(Decimal("0.01")), "f").replace(".", ",")
    assert f": {written} điểm, " in line, line
    caption = year_over_year_caption(yoy, TODAY)
    assert "Năm 2026:" in caption and "Năm 2025:" in caption and "Số liệu ngày 24/11/2026." in caption
    assert len(caption) <= 1024


async def test_the_what_if_screens_name_the_item_and_offer_the_weakest_first(db, leader):
    choices = await results.what_if_menu(db, leader)
    screen = what_if_menu_screen(choices)
    assert "Mất nhiều điểm nhất:" in screen.text and "Hiện nay:" in screen.text
    labels = [b.text for row in screen.rows for b in row]
    assert labels[0].startswith(f"🔮 {choices.weakest[0].code} (+")
    assert any(label.startswith("1. Nhận thức số · ") for label in labels)
    outcome = await results.what_if(db, leader, None, None, choices.weakest[0].code)
    text = what_if_screen(outcome).text
    assert f"Nếu {outcome.item.code} đạt tối đa — Sở Nội vụ" in text
    assert "Tổng điểm: " in text and "Giá trị DTI: " in text and "Hạng: " in text
    assert re.search(r"Giá trị DTI: 0,\d{4} → <b>0,\d{4}</b>", text), text
