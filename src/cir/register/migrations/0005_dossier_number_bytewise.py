"""Dossier numbers compare byte by byte on PostgreSQL ("C" collation, CodeField). Their unique
index then serves ``LIKE 'jjjj.mm.dd.%'`` itself, so the ``varchar_pattern_ops`` twin Django
made for the number goes."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import cir.reference.fields


def _like_index(schema_editor: BaseDatabaseSchemaEditor) -> str:
    return schema_editor._create_index_name("register_dossier", ["number"], suffix="_like")


def drop_like_twin(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_like_index(schema_editor)}"')


def restore_like_twin(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_like_index(schema_editor)}" '
            'ON "register_dossier" ("number" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0004_partial_company_indexes"),
        ("reference", "0003_codes_compare_bytewise"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dossier",
            name="number",
            field=cir.reference.fields.CodeField(
                blank=True,
                editable=False,
                max_length=15,
                null=True,
                unique=True,
                verbose_name="dossiernummer",
            ),
        ),
        migrations.RunPython(drop_like_twin, restore_like_twin),
    ]
