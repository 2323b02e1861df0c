from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Roadmap"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from strategy.extensions import product_summaries
        from strategy.models import Product

        from . import extensions
        from .services import usage

        post_delete.connect(usage.usage_product_deleted, sender=Product, dispatch_uid="roadmap.usage.product_deleted")

        # The product page shows the roadmap at a glance through strategy's registry.
        product_summaries.register("roadmap", extensions.product_roadmap_summaries, order=30)
