from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        from strategy.signals import workspace_created

        from . import services

        # Every new workspace starts with the default workflow.
        workspace_created.connect(services.on_workspace_created, dispatch_uid="releases.default_workflow")
