from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Roadmap"

    def ready(self) -> None:
        from strategy.extensions import product_summaries

        from . import extensions

        # The product page shows the roadmap at a glance through strategy's registry.
        product_summaries.register("roadmap", extensions.product_roadmap_summaries, order=30)
