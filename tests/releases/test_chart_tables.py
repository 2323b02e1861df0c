"""The burn-up's numbers as a table, and the chart toolkit's table under any chart."""

import re
from datetime import date, timedelta
from decimal import Decimal

from releases.charts import burn_up_table
from strategy.chart_kit import data_table


def test_the_burn_up_table_keeps_the_first_day_every_change_and_the_last_day():
    start = date(2026, 3, 2)
    series = [(start + timedelta(days=i), Decimal(done), Decimal(scope))
              for i, (done, scope) in enumerate([(0, 10), (0, 10), (2, 10), (2, 10), (2, 13), (2, 13)])]

    html = str(burn_up_table(series, name="Spring 1.2"))

    days = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert days == ["2 Mar 2026", "4 Mar 2026", "6 Mar 2026", "7 Mar 2026"]
    assert "<td>2 pts</td><td>13 pts</td>" in html
    assert "Burn-up of Spring 1.2" in html and "data-print-open" in html


def test_a_burn_up_without_history_has_no_table():
    assert str(burn_up_table([], name="Later")) == ""


def test_the_chart_table_escapes_every_cell():
    html = data_table("<b>caption</b>", ["<th>"], [["<script>", "x"]])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;caption" in html
