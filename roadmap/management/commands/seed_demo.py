from django.core.management.base import BaseCommand

from feedback import demo as feedback_demo
from releases import demo as releases_demo
from roadmap import demo_metrics, demo_usage
from strategy import demo as strategy_demo


class Command(BaseCommand):
    help = "Create the demo workspace (safe to run again: existing demo data is left unchanged)."

    def handle(self, *args, **options) -> None:
        workspace = strategy_demo.seed_workspace()
        strategy_demo.seed_strategy(workspace)
        releases_demo.seed_releases(workspace)
        demo_usage.seed_usage(workspace)
        feedback_demo.seed_feedback(workspace)
        # Last: key results bound to metrics take the values seeded above.
        demo_metrics.seed_metrics(workspace)
        self.stdout.write(self.style.SUCCESS(
            f"Demo workspace “{workspace.name}” is ready. "
            f"Sign in as {strategy_demo.DEMO_EMAIL} / {strategy_demo.DEMO_PASSWORD}"
        ))
