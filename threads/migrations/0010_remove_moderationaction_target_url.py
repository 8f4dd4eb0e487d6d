from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('threads', '0009_thread_op_modlog_targets'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='moderationaction',
            name='target_url',
        ),
    ]
