"""NIS codes compare byte by byte on PostgreSQL ("C" collation), and so do the columns that
refer to them (CodeField). Depends on the apps whose foreign keys point at the code, so that
the schema editor alters their columns too."""

from django.db import migrations

import cir.reference.fields


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0002_municipalities"),
        ("register", "0004_partial_company_indexes"),
        ("migration", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="municipality",
            name="nis_code",
            field=cir.reference.fields.CodeField(
                max_length=5, primary_key=True, serialize=False, verbose_name="NIS-code"
            ),
        ),
    ]
