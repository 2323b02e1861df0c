from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Roadmap"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from simple_history.signals import post_create_historical_record

        from feedback.models import IdeaEvent
        from releases.extensions import feature_summaries
        from releases.signals import delivery_computed
        from strategy.extensions import key_result_summaries, product_summaries
        from strategy.models import CheckIn, Product

        from . import extensions, services
        from .services import usage, webhooks

        post_delete.connect(usage.usage_product_deleted, sender=Product, dispatch_uid="roadmap.usage.product_deleted")

        # The product page shows the roadmap at a glance through strategy's registry.
        product_summaries.register("roadmap", extensions.product_roadmap_summaries, order=30)
        product_summaries.register("metrics", extensions.product_metric_summaries, order=40)
        # The feature page shows the adoption of a shipped feature with a usage key.
        feature_summaries.register("adoption", extensions.feature_adoption_summaries, order=50)
        # The goal page says which metric feeds each key result, and links to binding one.
        key_result_summaries.register("metric", extensions.key_result_metric_summaries)
        # Key results bound to a delivery metric follow each delivery computation.
        delivery_computed.connect(services.on_delivery_computed, dispatch_uid="roadmap.key_results")
        # Webhooks: every version simple-history records (features, releases, goals, key
        # results), every idea event and every check-in is noted, and turned into events after commit.
        post_create_historical_record.connect(webhooks.on_history_record, dispatch_uid="roadmap.webhooks.history")
        post_save.connect(webhooks.on_idea_event, sender=IdeaEvent, dispatch_uid="roadmap.webhooks.idea_event")
        post_save.connect(webhooks.on_check_in, sender=CheckIn, dispatch_uid="roadmap.webhooks.check_in")
