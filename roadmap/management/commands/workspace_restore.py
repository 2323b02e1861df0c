from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from roadmap.services import backup


class Command(BaseCommand):
    help = ("Recreate a workspace from its export (a JSON file downloaded by an admin, or written by "
            "`workspace_export`), in one transaction: all of it or, on any problem, nothing.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The export file (.json).")

    def handle(self, *args, file: str, **options) -> None:
        try:
            result = backup.workspace_restore_file(path=file)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(self.style.SUCCESS(
            f"Workspace “{result.workspace.name}” ({result.workspace.slug}) restored: {rows} rows in "
            f"{len(result.counts)} tables; {result.users_matched} people matched by email, "
            f"{result.users_created} accounts made (they sign in by resetting their password)."))
