from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        from strategy.extensions import account_sections, initiative_summaries, product_summaries
        from strategy.signals import workspace_created

        from . import extensions, selectors, services
        from .signals import features_changed
        from .views.notifications import account_section

        # Every new workspace starts with the default workflow.
        workspace_created.connect(services.on_workspace_created, dispatch_uid="releases.default_workflow")
        # The product page shows releases and features through strategy's registry.
        product_summaries.register("releases", extensions.product_delivery_summaries, order=20)
        # Launch readiness of each product's next release (the executive dashboard reads it too).
        product_summaries.register("launch", extensions.product_launch_summaries, order=25)
        # The overview's facts: the schedule, conflicts and the latest changes.
        product_summaries.register("schedule", extensions.product_schedule_summaries, order=21)
        product_summaries.register("conflicts", extensions.product_conflict_summaries, order=22)
        product_summaries.register("changes", extensions.product_change_summaries, order=90)
        # The initiative page shows its features across releases.
        initiative_summaries.register("progress", extensions.initiative_progress_summaries, order=10)
        initiative_summaries.register("features", extensions.initiative_feature_summaries, order=20)
        # The account page shows the notification email choices.
        account_sections.register("notifications", account_section, order=10)
        # Delivery metrics are recomputed after feature changes, debounced per product.
        features_changed.connect(services.on_features_changed, dispatch_uid="releases.delivery_metrics")
        # The cached conflicts of the changed products' plans are dropped (releases.selectors.plan_for).
        features_changed.connect(selectors.forget_plans_on_features_changed, dispatch_uid="releases.plan_cache")
