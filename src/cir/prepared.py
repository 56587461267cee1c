"""Prepared statements for the few hot, fixed queries (PostgreSQL only)."""

from __future__ import annotations

from typing import Any

from django.db import connection


def fetch_prepared(sql: str, params: Any) -> Any:
    """One row of a hot, fixed statement, prepared once per connection (server-side binding).

    Planning these statements costs more than running them; Django's client-side binding would
    plan them again on every call (settings: prepare_threshold, docs/decisions/0005).
    """
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
