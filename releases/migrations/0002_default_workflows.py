from django.db import migrations

DEFAULT_WORKFLOW = [
    ("Idea", "not_started"), ("Backlog", "not_started"), ("Planned", "not_started"),
    ("In design", "in_progress"), ("In development", "in_progress"), ("In review", "in_progress"),
    ("Shipped", "done"), ("Won't do", "wont_do"),
]


def give_existing_workspaces_the_default_workflow(apps, schema_editor):
    # Workspaces created before workflows existed; new ones get it from services.workspace_create.
    Workspace = apps.get_model("strategy", "Workspace")
    WorkflowStatus = apps.get_model("releases", "WorkflowStatus")
    for workspace in Workspace.objects.filter(workflow_statuses__isnull=True):
        WorkflowStatus.objects.bulk_create([
            WorkflowStatus(workspace=workspace, name=name, category=category, position=i)
            for i, (name, category) in enumerate(DEFAULT_WORKFLOW, start=1)
        ])


class Migration(migrations.Migration):
    dependencies = [("releases", "0001_initial"), ("strategy", "0003_membership_ordering")]

    operations = [migrations.RunPython(give_existing_workspaces_the_default_workflow, migrations.RunPython.noop)]
