"""Codes made of digits and dots (NIS codes, dossier numbers) compare byte by byte
(cir.reference.fields.CodeField): the migration's indexes on them are built without strcoll, and
the dossier number's own index serves the prefix search of the numbering."""

from __future__ import annotations

import pytest
from django.db import connection

from cir.register.models import Dossier

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite compares bytes already (BINARY)"
    ),
]

CODE_COLUMNS = {
    ("reference_municipality", "nis_code"),
    ("register_person", "domicile_id"),
    ("register_municipalitychoice", "municipality_id"),
    ("register_ranking", "municipality_id"),
    ("migration_legacylandlord", "municipality_id"),
    ("register_dossier", "number"),
}


def test_nis_codes_and_dossier_numbers_and_the_keys_to_them_compare_in_c() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND collation_name = 'C'"
        )
        in_c = set(cursor.fetchall())
    assert in_c == CODE_COLUMNS


def test_the_dossier_number_has_no_pattern_twin_and_its_index_serves_the_prefix_search() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'register_dossier' "
            "AND indexdef LIKE '%%(number%%'"
        )
        definitions = [row[0] for row in cursor.fetchall()]
        assert len(definitions) == 1 and "UNIQUE" in definitions[0]
        assert "pattern_ops" not in definitions[0]
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = Dossier.objects.filter(number__startswith="2024.01.02.").values("id").query
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "register_dossier_number_key" in plan
