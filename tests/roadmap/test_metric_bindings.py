"""Key results bound to a metric: binding (who may, what is valid), refreshing from usage
rollups and delivery snapshots (values checked by hand), idempotence, the triggers, the page,
the API and workspace isolation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from releases import services as release_services
from releases.models import ProductDeliverySnapshot, ReleaseDeliverySnapshot
from roadmap import services
from roadmap.celery import app as celery_app
from roadmap.models import KeyResultBinding, UsageDaily, UsageFeatureDaily
from strategy import metrics as goal_metrics
from strategy.chart_kit import day_label
from strategy.models import CheckIn, KeyResult
from tests.api_urls import api_url

from ..conftest import count_queries
from ..factories import (
    GoalFactory,
    KeyResultBindingFactory,
    KeyResultFactory,
    ProductFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db


def usage_day(product, day, *, dau=0, wau=0, mau=0, sessions=0, bounced=0, computed_at=None):
    return UsageDaily.objects.update_or_create(product=product, day=day, defaults={
        "dau": dau, "wau": wau, "mau": mau, "sessions": sessions, "bounced_sessions": bounced,
        "events": dau * 3, "computed_at": computed_at or timezone.now()})[0]


def feature_day(product, day, key, *, users=0, users_7d=0):
    return UsageFeatureDaily.objects.create(product=product, day=day, feature_key=key, users=users,
                                            users_7d=users_7d, events=users * 2, computed_at=timezone.now())


def release_snapshot(release, day, *, features=8, done=3, probability=None):
    return ReleaseDeliverySnapshot.objects.update_or_create(release=release, day=day, defaults={
        "computed_at": timezone.now(), "feature_count": features, "done_count": done,
        "remaining_count": features - done, "on_time_probability": probability,
        "forecast_status": "forecast" if probability is not None else "no_history"})[0]


@pytest.fixture
def goal(workspace, product, today):
    return GoalFactory(workspace=workspace, product=product, start_date=today - timedelta(days=30),
                       end_date=today + timedelta(days=60))


@pytest.fixture
def key_result(goal):
    return KeyResultFactory(goal=goal, name="Daily shoppers", start_value=Decimal(100), target_value=Decimal(500))


def bind(editor, key_result, product, metric="dau", **kwargs):
    return services.key_result_bind(actor=editor, key_result=key_result, metric=metric, product=product, **kwargs)


# --- refreshing from usage ------------------------------------------------------------------------


def test_a_dau_key_result_takes_the_last_complete_day_as_a_check_in(editor, key_result, product, today):
    usage_day(product, today - timedelta(days=2), dau=180)
    usage_day(product, today - timedelta(days=1), dau=220)
    usage_day(product, today, dau=35)  # today is still filling up: not taken
    binding = bind(editor, key_result, product)

    changed = services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    binding.refresh_from_db()
    assert changed == 1
    assert key_result.current_value == Decimal(220)
    assert (binding.value, binding.as_of) == (Decimal(220), today - timedelta(days=1))
    last = key_result.check_ins.order_by("-created_at", "-id").first()
    assert last.value == Decimal(220) and last.author is None
    day = day_label(today - timedelta(days=1), year=True)
    assert last.note == f"Daily active users of Mobile App on {day} (measured automatically)"


@pytest.mark.parametrize(("metric", "expected"), [
    ("wau", Decimal(900)), ("mau", Decimal(2400)), ("sessions", Decimal(320)),
    ("bounce_rate", Decimal("37.50")),  # 120 of 320 sessions had one event
])
def test_each_usage_metric_reads_its_figure(editor, key_result, product, today, metric, expected):
    usage_day(product, today - timedelta(days=1), dau=220, wau=900, mau=2400, sessions=320, bounced=120)
    bind(editor, key_result, product, metric=metric)

    services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    assert key_result.current_value == expected


def test_feature_adoption_is_the_keys_weekly_users_over_weekly_active_users(editor, key_result, product, today):
    yesterday = today - timedelta(days=1)
    usage_day(product, yesterday, dau=100, wau=480)
    feature_day(product, yesterday, "csv-export", users=40, users_7d=120)
    feature_day(product, yesterday - timedelta(days=1), "csv-export", users=70, users_7d=300)  # an older day
    feature_day(product, yesterday, "dark-mode", users=400, users_7d=470)  # another key
    adoption, users = KeyResultFactory(goal=key_result.goal), KeyResultFactory(goal=key_result.goal)
    bind(editor, adoption, product, metric="feature_adoption", feature_key="csv-export")
    bind(editor, users, product, metric="feature_users", feature_key="csv-export")

    services.key_results_refresh(today=today)

    adoption.refresh_from_db()
    users.refresh_from_db()
    assert adoption.current_value == Decimal("25.00")  # 120 / 480
    assert users.current_value == Decimal(40)


def test_a_key_unused_on_the_last_day_reads_zero(editor, key_result, product, today):
    usage_day(product, today - timedelta(days=1), wau=480)
    feature_day(product, today - timedelta(days=3), "csv-export", users=5, users_7d=9)
    bind(editor, key_result, product, metric="feature_adoption", feature_key="csv-export")

    services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    binding = KeyResultBinding.objects.get()
    assert key_result.current_value == Decimal(0) and binding.as_of == today - timedelta(days=1)


def test_a_product_without_usage_leaves_the_key_result_alone(editor, key_result, product, today):
    bind(editor, key_result, product)

    assert services.key_results_refresh(today=today) == 0

    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(100)
    assert key_result.check_ins.count() == 1


# --- idempotence and the history -------------------------------------------------------------------


def test_refreshing_twice_writes_one_check_in(editor, key_result, product, today):
    usage_day(product, today - timedelta(days=1), dau=220)
    bind(editor, key_result, product)

    first = services.key_results_refresh(today=today)
    second = services.key_results_refresh(today=today)

    assert (first, second) == (1, 0)
    assert list(key_result.check_ins.order_by("id").values_list("value", flat=True)) == [Decimal(100), Decimal(220)]


def test_a_recomputed_day_corrects_its_check_in_and_a_new_day_adds_one(editor, key_result, product, today):
    yesterday = today - timedelta(days=1)
    usage_day(product, yesterday, dau=220)
    bind(editor, key_result, product)
    services.key_results_refresh(today=today)

    usage_day(product, yesterday, dau=260)  # late events for yesterday
    services.key_results_refresh(today=today)
    assert list(key_result.check_ins.order_by("id").values_list("value", flat=True)) == [Decimal(100), Decimal(260)]

    usage_day(product, today, dau=300)
    services.key_results_refresh(today=today + timedelta(days=1))  # the next day
    assert list(key_result.check_ins.order_by("id").values_list("value", flat=True)) == [
        Decimal(100), Decimal(260), Decimal(300)]
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(300)


def test_a_manual_check_in_after_the_metric_is_kept_and_the_next_value_is_new(editor, key_result, product, today):
    from strategy import services as strategy_services

    yesterday = today - timedelta(days=1)
    usage_day(product, yesterday, dau=220)
    bind(editor, key_result, product)
    services.key_results_refresh(today=today)
    strategy_services.key_result_check_in(actor=editor, key_result=key_result, value=Decimal(230), note="By hand")

    usage_day(product, yesterday, dau=240)
    services.key_results_refresh(today=today)

    assert list(key_result.check_ins.order_by("id").values_list("value", flat=True)) == [
        Decimal(100), Decimal(220), Decimal(230), Decimal(240)]


def test_the_goal_status_follows_the_metric(editor, key_result, goal, product, today):
    usage_day(product, today - timedelta(days=1), dau=500)
    bind(editor, key_result, product)

    services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    assert goal_metrics.key_result_progress(start=key_result.start_value, target=key_result.target_value,
                                            current=key_result.current_value) == Decimal(100)
    response_status = goal_metrics.goal_health(
        key_results=[(key_result.start_value, key_result.target_value, key_result.current_value)],
        start=goal.start_date, end=goal.end_date, today=today).status
    assert response_status == goal_metrics.ACHIEVED


# --- refreshing from delivery ----------------------------------------------------------------------


def test_release_metrics_read_the_newest_snapshot(editor, key_result, goal, product, today):
    release = ReleaseFactory(product=product)
    release_snapshot(release, today - timedelta(days=1), features=8, done=2, probability=0.4)
    release_snapshot(release, today, features=8, done=3, probability=0.8234)
    chance = KeyResultFactory(goal=goal)
    bind(editor, key_result, product, metric="release_progress", release=release)
    bind(editor, chance, product, metric="on_time_probability", release=release)

    services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    chance.refresh_from_db()
    assert key_result.current_value == Decimal("37.50")  # 3 of 8
    assert chance.current_value == Decimal("82.34")


def test_a_release_without_a_forecast_yet_leaves_its_chance_alone(editor, key_result, product, today):
    release = ReleaseFactory(product=product)
    release_snapshot(release, today, probability=None)
    bind(editor, key_result, product, metric="on_time_probability", release=release)

    assert services.key_results_refresh(today=today) == 0


def test_throughput_is_the_mean_features_done_per_week(editor, key_result, product, today):
    ProductDeliverySnapshot.objects.create(product=product, day=today, computed_at=timezone.now(),
                                           throughput_mean=Decimal("2.75"))
    bind(editor, key_result, product, metric="throughput")

    services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    assert key_result.current_value == Decimal("2.75")


def test_a_delivery_computation_refreshes_the_bound_key_results(
        editor, key_result, product, workflow, today, django_capture_on_commit_callbacks):
    release = release_services.release_create(actor=editor, product=product, name="Spring",
                                              start_date=today - timedelta(days=10),
                                              release_date=today + timedelta(days=20))
    for title, status in (("One", "Shipped"), ("Two", "Backlog"), ("Three", "Backlog"), ("Four", "Shipped")):
        release_services.feature_create(actor=editor, product=product, title=title, release=release,
                                        status=workflow[status])
    with django_capture_on_commit_callbacks(execute=True):
        bind(editor, key_result, product, metric="release_progress", release=release)

    with django_capture_on_commit_callbacks(execute=True):
        release_services.product_delivery_refresh(product_id=product.pk, lock=False)

    key_result.refresh_from_db()
    assert key_result.current_value == Decimal("50.00")  # 2 of 4 done


def test_the_sweep_runs_every_ten_minutes_from_beat():
    entry = celery_app.conf.beat_schedule["key-results-refresh"]

    assert entry["task"] == "roadmap.tasks.key_results_refresh_task"
    assert entry["schedule"] == 600.0


def test_binding_queues_a_refresh_after_commit(editor, key_result, product, today, django_capture_on_commit_callbacks):
    usage_day(product, today - timedelta(days=1), dau=220)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bind(editor, key_result, product)

    assert len(callbacks) == 1
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(220)


def test_a_binding_saved_while_the_broker_is_down_stands(
        editor, key_result, product, broker_down, caplog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bind(editor, key_result, product)

    assert KeyResultBinding.objects.filter(key_result=key_result).exists()
    assert "was not queued" in caplog.text


# --- binding: rules and permissions ----------------------------------------------------------------


def test_a_viewer_cannot_bind_or_unbind(viewer, editor, key_result, product):
    with pytest.raises(PermissionDenied):
        bind(viewer, key_result, product)
    bind(editor, key_result, product)
    with pytest.raises(PermissionDenied):
        services.key_result_unbind(actor=viewer, key_result=key_result)
    assert KeyResultBinding.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"metric": "release_progress"}, "release"),
    ({"metric": "feature_adoption"}, "feature_key"),
    ({"metric": "feature_users", "feature_key": "CSV Export!"}, "feature_key"),
    ({"metric": "nonsense"}, "metric"),
])
def test_a_binding_missing_what_its_metric_needs_is_refused(editor, key_result, product, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        bind(editor, key_result, product, **kwargs)

    assert field in caught.value.message_dict
    assert not KeyResultBinding.objects.exists()


def test_a_release_of_another_product_or_a_product_of_another_workspace_is_refused(
        editor, key_result, product, workspace, other_product):
    with pytest.raises(ValidationError) as caught:
        bind(editor, key_result, product, metric="release_progress",
             release=ReleaseFactory(product=ProductFactory(workspace=workspace)))
    assert "release" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        bind(editor, key_result, other_product)
    assert "product" in caught.value.message_dict
    assert not KeyResultBinding.objects.exists()


def test_a_product_line_is_refused(editor, key_result, workspace):
    line = ProductFactory(workspace=workspace, kind="line", key="LINE")

    with pytest.raises(ValidationError) as caught:
        bind(editor, key_result, line)

    assert "product" in caught.value.message_dict


def test_rebinding_starts_afresh_and_unbinding_keeps_the_check_ins(editor, key_result, product, today):
    usage_day(product, today - timedelta(days=1), dau=220, wau=900)
    bind(editor, key_result, product)
    services.key_results_refresh(today=today)

    binding = bind(editor, key_result, product, metric="wau")
    assert binding.value is None and binding.check_in is None
    services.key_results_refresh(today=today)
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(900)

    services.key_result_unbind(actor=editor, key_result=key_result)
    assert not KeyResultBinding.objects.exists()
    assert key_result.check_ins.count() == 3


def test_metrics_of_one_workspace_never_feed_another(editor, key_result, product, other_product, today):
    usage_day(product, today - timedelta(days=1), dau=220)
    usage_day(other_product, today - timedelta(days=1), dau=99999)
    other_kr = KeyResultFactory(goal=GoalFactory(workspace=other_product.workspace, product=other_product))
    KeyResultBindingFactory(key_result=other_kr, product=other_product)
    bind(editor, key_result, product)

    services.key_results_refresh(today=today)

    key_result.refresh_from_db()
    other_kr.refresh_from_db()
    assert key_result.current_value == Decimal(220)
    assert other_kr.current_value == Decimal(99999)


def test_refreshing_reads_a_fixed_number_of_queries_for_any_number_of_bindings(workspace, product, today):
    def make(count):
        for _i in range(count):
            key_result = KeyResultFactory(goal=GoalFactory(workspace=workspace, product=product))
            KeyResultBindingFactory(key_result=key_result, product=product, metric="wau")
            KeyResultBindingFactory(key_result=KeyResultFactory(goal=key_result.goal), product=product,
                                    metric="feature_adoption", feature_key="csv-export")
            KeyResultBindingFactory(key_result=KeyResultFactory(goal=key_result.goal), product=product,
                                    metric="on_time_probability", release=ReleaseFactory(product=product))
    usage_day(product, today - timedelta(days=1), wau=10)
    make(1)
    services.key_results_refresh(today=today)
    few = count_queries(lambda: services.key_results_refresh(today=today))  # nothing new: reads only

    make(5)
    services.key_results_refresh(today=today)
    many = count_queries(lambda: services.key_results_refresh(today=today))

    assert many == few == 4  # bindings, usage days, feature days, release snapshots (no throughput binding)


# --- the page --------------------------------------------------------------------------------------


def binding_url(key_result):
    return reverse("roadmap:key_result_binding", args=[key_result.workspace.slug, key_result.goal_id, key_result.pk])


def test_an_editor_binds_from_the_page(client_as_editor, key_result, product, today,
                                       django_capture_on_commit_callbacks):
    usage_day(product, today - timedelta(days=1), dau=220)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as_editor.post(binding_url(key_result), {"metric": "dau", "product": product.pk})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#kr-{key_result.pk}")
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(220)  # tasks run eagerly in tests


def test_a_bad_form_comes_back_with_the_field_error_and_saves_nothing(client_as_editor, key_result, product):
    response = client_as_editor.post(binding_url(key_result), {"metric": "feature_users", "product": product.pk})

    assert response.status_code == 200
    assert "Enter the feature key" in response.content.decode()
    assert not KeyResultBinding.objects.exists()


def test_a_viewer_reads_the_page_but_cannot_post(client_as_viewer, editor, key_result, product, today):
    usage_day(product, today - timedelta(days=1), dau=220)
    bind(editor, key_result, product)

    page = client_as_viewer.get(binding_url(key_result))
    refused = client_as_viewer.post(binding_url(key_result), {"action": "unbind"})

    assert page.status_code == 200
    assert "Daily active users" in page.content.decode() and "<form" not in page.content.decode().split("main")[-1]
    assert refused.status_code == 403
    assert KeyResultBinding.objects.exists()


def test_an_editor_unbinds_from_the_page(client_as_editor, editor, key_result, product):
    bind(editor, key_result, product)

    response = client_as_editor.post(binding_url(key_result), {"action": "unbind"})

    assert response.status_code == 302
    assert not KeyResultBinding.objects.exists()


def test_another_workspaces_key_result_is_not_found(client_as_editor, other_product):
    other = KeyResultFactory(goal=GoalFactory(workspace=other_product.workspace))

    url = reverse("roadmap:key_result_binding", args=["acme", other.goal_id, other.pk])

    assert client_as_editor.get(url).status_code == 404


def test_the_goal_page_says_which_metric_feeds_a_key_result(client_as_viewer, editor, key_result, goal, product, today):
    usage_day(product, today - timedelta(days=1), dau=220)
    bind(editor, key_result, product)
    services.key_results_refresh(today=today)

    html = client_as_viewer.get(reverse("strategy:goal_detail", args=["acme", goal.pk])).content.decode()

    assert "Fed by daily active users of Mobile App" in html
    assert "computed" in html and binding_url(key_result) in html


def test_the_goal_page_offers_binding_to_editors_only(client, editor, viewer, key_result, goal):
    url = reverse("strategy:goal_detail", args=["acme", goal.pk])
    client.force_login(editor)
    assert "Feed from a metric" in client.get(url).content.decode()
    client.force_login(viewer)
    assert "Feed from a metric" not in client.get(url).content.decode()


def test_the_goal_page_costs_the_same_for_one_bound_key_result_or_many(client_as_viewer, editor, goal, product):
    url = reverse("strategy:goal_detail", args=["acme", goal.pk])
    KeyResultBindingFactory(key_result=KeyResultFactory(goal=goal), product=product)
    client_as_viewer.get(url)
    few = count_queries(lambda: client_as_viewer.get(url))

    for _i in range(5):
        KeyResultBindingFactory(key_result=KeyResultFactory(goal=goal), product=product)
        KeyResultFactory(goal=goal)
    many = count_queries(lambda: client_as_viewer.get(url))

    assert many == few


# --- the API ---------------------------------------------------------------------------------------


def api_binding_url(key_result=None):
    if key_result is None:
        return api_url("roadmap-api:key-result-binding-list")
    return api_url("roadmap-api:key-result-binding-detail", args=[key_result.pk])


def test_an_editor_binds_reads_and_unbinds_through_the_api(client_as_editor, key_result, product, today,
                                                          django_capture_on_commit_callbacks):
    usage_day(product, today - timedelta(days=1), bounced=3, sessions=8)

    with django_capture_on_commit_callbacks(execute=True):
        put = client_as_editor.put(api_binding_url(key_result), {"metric": "bounce_rate", "product": product.pk},
                                   content_type="application/json")
    got = client_as_editor.get(api_binding_url(key_result))
    listed = client_as_editor.get(api_binding_url())
    deleted = client_as_editor.delete(api_binding_url(key_result))

    assert put.status_code == 200
    assert got.json()["value"] == "37.50" and got.json()["unit"] == "%"
    assert got.json()["as_of"] == (today - timedelta(days=1)).isoformat()
    assert [row["key_result"] for row in listed.json()["results"]] == [key_result.pk]
    assert deleted.status_code == 204
    assert client_as_editor.get(api_binding_url(key_result)).status_code == 404


def test_the_api_names_each_bad_field(client_as_editor, key_result, other_product):
    response = client_as_editor.put(api_binding_url(key_result),
                                    {"metric": "release_progress", "product": other_product.pk},
                                    content_type="application/json")

    assert response.status_code == 400
    assert "product" in response.json()
    assert not KeyResultBinding.objects.exists()


def test_the_api_refuses_a_viewer_before_reading_the_input(client_as_viewer, key_result):
    assert client_as_viewer.put(api_binding_url(key_result), {}, content_type="application/json").status_code == 403
    assert client_as_viewer.delete(api_binding_url(key_result)).status_code == 403


def test_the_api_hides_another_workspaces_bindings(client_as_editor, other_product):
    other = KeyResultBindingFactory(product=other_product, key_result=KeyResultFactory(
        goal=GoalFactory(workspace=other_product.workspace)))

    assert client_as_editor.get(api_binding_url(other.key_result)).status_code == 404
    assert client_as_editor.get(api_binding_url()).json()["results"] == []
    assert client_as_editor.put(api_binding_url(other.key_result), {"metric": "dau", "product": other_product.pk},
                                content_type="application/json").status_code == 404


def test_the_api_is_in_the_schema(client_as_viewer):
    schema = client_as_viewer.get(reverse("roadmap:api_schema")).content.decode()

    assert "/api/v1/w/{ws}/key-result-bindings/{key_result}/" in schema


def test_a_checked_in_value_is_rounded_to_cents_like_any_check_in(editor, key_result, product, today):
    usage_day(product, today - timedelta(days=1), bounced=1, sessions=3)
    bind(editor, key_result, product, metric="bounce_rate")

    services.key_results_refresh(today=today)

    assert CheckIn.objects.filter(key_result=key_result).order_by("-id")[0].value == Decimal("33.33")
    assert KeyResult.objects.get(pk=key_result.pk).current_value == Decimal("33.33")
