"""Creates the Moderators group with exactly the permissions moderation needs."""

from django.db import migrations

MODERATOR_PERMISSIONS = {
    "threads": [
        "view_thread",
        "change_thread",
        "view_comment",
        "change_comment",
        "view_flaggedcomment",
        "change_flaggedcomment",
        "view_ban",
        "add_ban",
        "change_ban",
        "view_moderationaction",
    ],
}


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        assert permissions.count() == len(codenames), "a moderator permission is missing"
        group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0002_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
