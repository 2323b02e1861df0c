from django.db import migrations

DEFAULT_PHASE_TYPES = [("Plan", "#64748b"), ("Build", "#2563eb"), ("Beta", "#7c3aed"), ("Launch", "#15803d")]


def give_existing_workspaces_the_default_phase_types(apps, schema_editor):
    # Workspaces created before phases existed; new ones get them from services.on_workspace_created.
    Workspace = apps.get_model("strategy", "Workspace")
    PhaseType = apps.get_model("releases", "PhaseType")
    for workspace in Workspace.objects.filter(phase_types__isnull=True):
        PhaseType.objects.bulk_create([
            PhaseType(workspace=workspace, name=name, colour=colour, position=i)
            for i, (name, colour) in enumerate(DEFAULT_PHASE_TYPES, start=1)
        ])


class Migration(migrations.Migration):
    dependencies = [("releases", "0007_go_to_market")]

    operations = [migrations.RunPython(give_existing_workspaces_the_default_phase_types, migrations.RunPython.noop)]
