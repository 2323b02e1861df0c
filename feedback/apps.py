from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from releases.extensions import feature_summaries
        from releases.signals import features_changed
        from strategy.extensions import product_summaries

        from . import extensions, services

        # Closing the loop: a feature that reaches a done status ships its ideas.
        features_changed.connect(services.on_features_changed, dispatch_uid="feedback.close_the_loop")
        # The feature page and the product page show demand and ideas through the registries.
        feature_summaries.register("demand", extensions.feature_demand_summaries, order=10)
        product_summaries.register("feedback", extensions.product_feedback_summaries, order=25)
