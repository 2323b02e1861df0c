"""Delivery metrics pages: a product's delivery page (throughput, cycle time, the burn-ups
and forecasts of its open releases) and the forecast section of the release page. They read
stored snapshots only, never compute: Celery does (releases/services/metrics.py), so the
pages render the last values with their age even when Redis or the worker is down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from strategy.web import product_for, workspace_view

from .. import charts, metrics, selectors
from ..models import Release, ReleaseDeliverySnapshot

OPEN_RELEASES_LISTED = 12  # forecasts in the table of the delivery page
BURN_UPS_SHOWN = 3  # open releases under way whose burn-up the delivery page draws
TABLE_STEP_DAYS = 7  # a burn-up's data table lists one day a week (and the last)


@dataclass
class ForecastView:
    """What the release page and the delivery page show of a release's latest snapshot."""

    snapshot: ReleaseDeliverySnapshot | None
    release: Release

    @property
    def computed(self) -> bool:
        return self.snapshot is not None

    @property
    def is_open(self) -> bool:
        return self.release.status not in (Release.Status.RELEASED, Release.Status.CANCELLED)

    @property
    def status(self) -> str:
        return self.snapshot.forecast_status if self.snapshot else ""

    @property
    def rows(self) -> list[tuple[int, date | None, str, str]]:
        """(confidence, date, the date in words, how late that is) for 50, 85 and 95 %."""
        snapshot = self.snapshot
        if snapshot is None:
            return []
        horizon = (snapshot.data.get("forecast") or {}).get("horizon")
        result = []
        for confidence, day in ((50, snapshot.forecast_p50), (85, snapshot.forecast_p85),
                                (95, snapshot.forecast_p95)):
            late = ""
            if day is not None:
                words = charts.day_label(day, year=True)
                if day > self.release.release_date:
                    days = (day - self.release.release_date).days
                    late = f"{days} day{'s' if days != 1 else ''} late"
            else:
                words = f"after {charts.day_label(date.fromisoformat(horizon), year=True)}" if horizon else "—"
            result.append((confidence, day, words, late))
        return result

    @property
    def cone(self) -> list[tuple[int, date]]:
        if not self.is_open or self.status != metrics.FORECAST_OK:
            return []
        return [(confidence, day) for confidence, day, _words, _late in self.rows if day is not None]

    @property
    def probability_percent(self) -> int | None:
        value = self.snapshot.on_time_probability if self.snapshot else None
        return None if value is None else round(100 * value)

    @property
    def probability_bar(self) -> SafeString:
        percent = self.probability_percent or 0
        tone = "done" if percent >= 85 else "" if percent >= 50 else "warning"
        return charts.bar(percent, tone=tone, label=f"{percent}% likely to be done by the release date")

    @property
    def history_weeks(self) -> int:
        return (self.snapshot.data.get("forecast") or {}).get("history_weeks", 0) if self.snapshot else 0

    @property
    def earlier_work(self) -> int:
        """Remaining features of earlier open releases that the forecast puts first."""
        if self.snapshot is None:
            return 0
        queued = (self.snapshot.data.get("forecast") or {}).get("queued", self.snapshot.remaining_count)
        return max(queued - self.snapshot.remaining_count, 0)

    @property
    def scope_started(self) -> bool:
        return bool((self.snapshot.data.get("forecast") or {}).get("scope_started")) if self.snapshot else False

    @property
    def scope_added(self) -> str:
        return _scope_words("+", self.snapshot.scope_added_count, self.snapshot.scope_added_estimate)

    @property
    def scope_removed(self) -> str:
        return _scope_words("−", self.snapshot.scope_removed_count, self.snapshot.scope_removed_estimate)

    @property
    def simulations(self) -> str:
        return charts.format_number((self.snapshot.data.get("forecast") or {}).get("simulations", 0))


def _scope_words(sign: str, count: int, estimate) -> str:
    """"+2 features · +8 pts"; "None" without a change."""
    if not count and not estimate:
        return "None"
    text = f"{sign}{charts.points(estimate)}"
    return f"{sign}{count} feature{'s' if count != 1 else ''} · {text}" if count else text


def release_forecast(release: Release, snapshot: ReleaseDeliverySnapshot | None) -> ForecastView:
    """The forecast section of the release page, from the release's latest snapshot."""
    return ForecastView(snapshot, release)


def _series(snapshot: ReleaseDeliverySnapshot | None) -> list[tuple[date, float, float]]:
    if snapshot is None:
        return []
    return [(date.fromisoformat(day), done, scope) for day, done, scope in snapshot.data.get("burn_up", [])]


def _table_rows(series: list[tuple[date, float, float]]) -> list[tuple[date, float, float]]:
    """One row a week of a burn-up's series, and its last day."""
    if not series:
        return []
    rows = series[::TABLE_STEP_DAYS]
    return rows if rows[-1] == series[-1] else [*rows, series[-1]]


@workspace_view
@require_GET
def product_delivery(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    today = timezone.localdate()
    snapshot = selectors.product_delivery_latest(product=product)
    open_releases = selectors.delivery_open_releases(product=product, limit=OPEN_RELEASES_LISTED + 1)
    more = len(open_releases) > OPEN_RELEASES_LISTED
    open_releases = open_releases[:OPEN_RELEASES_LISTED]
    forecasts = [ForecastView(release.delivery, release) for release in open_releases]
    context = {"workspace": workspace, "product": product, "snapshot": snapshot, "forecasts": forecasts,
               "more_releases": more, "today": today}
    if snapshot is not None:
        weeks = [(date.fromisoformat(week), count) for week, count in snapshot.data.get("throughput", [])]
        points = [(key_, title, date.fromisoformat(day), days)
                  for key_, title, day, days in snapshot.data.get("cycle_times", [])]
        first = weeks[0][0] if weeks else today
        sample = snapshot.data.get("sample") or []
        context.update(
            weeks=weeks, cycle_points=points,
            throughput_chart=charts.throughput_chart(weeks, today=today, mean=float(snapshot.throughput_mean)
                                                     if sample else None),
            cycle_chart=charts.cycle_time_chart(
                points, start=first, end=max(today, first + timedelta(days=6)),
                p50=float(snapshot.cycle_p50) if snapshot.cycle_p50 is not None else None,
                p85=float(snapshot.cycle_p85) if snapshot.cycle_p85 is not None else None),
        )
    # Burn-ups of the open releases under way; before any has started, of the next one.
    started = [f for f in forecasts if f.release.start_date <= today] or forecasts[:1]
    burn_ups = []
    for forecast in started[:BURN_UPS_SHOWN]:
        release = forecast.release
        series = _series(forecast.snapshot)
        burn_ups.append({
            "forecast": forecast, "release": release, "table": _table_rows(series),
            "chart": charts.burn_up_chart(series, start=release.start_date, end=release.release_date, today=today,
                                          name=str(release), forecast=forecast.cone),
        })
    context["burn_ups"] = burn_ups
    return render(request, "releases/product_delivery.html", context)
