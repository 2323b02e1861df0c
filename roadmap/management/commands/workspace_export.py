import sys

from django.core.management.base import BaseCommand, CommandError

from roadmap.services import backup
from strategy.models import Workspace


class Command(BaseCommand):
    help = "Write a workspace's export (the JSON document admins download) to a file or to stdout."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The workspace's address (its slug).")
        parser.add_argument("--output", "-o", help="The file to write (default: stdout).")

    def handle(self, *args, slug: str, output: str | None = None, **options) -> None:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"No workspace “{slug}”.")
        if output is None:
            for chunk in backup.workspace_export(workspace=workspace):
                sys.stdout.write(chunk)
            return
        with open(output, "w", encoding="utf-8") as handle:
            for chunk in backup.workspace_export(workspace=workspace):
                handle.write(chunk)
        self.stderr.write(self.style.SUCCESS(f"Workspace “{workspace.name}” exported to {output}."))
