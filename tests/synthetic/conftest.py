"""Fixtures for the synthetic-data tests (plain pytest, no Django database)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]
# The normative schemas live in shared/formats beside the repository; a copy is vendored under
# src/cir/domain/migration/schemas for run-time use.
SCHEMA_DIRS = (
    REPO.parent / "shared" / "formats",
    REPO / "src" / "cir" / "domain" / "migration" / "schemas",
)


def _schema_dir() -> Path | None:
    for folder in SCHEMA_DIRS:
        if (folder / "legacy-dossier.schema.json").is_file():
            return folder
    return None


@pytest.fixture(scope="session")
def validator() -> Callable[[str], Draft202012Validator]:
    """``validator("person")`` -> a validator for ``person.schema.json`` with date formats."""
    folder = _schema_dir()
    if folder is None:
        pytest.skip("JSON Schemas not found (shared/formats)")
    cache: dict[str, Draft202012Validator] = {}

    def get(name: str) -> Draft202012Validator:
        if name not in cache:
            schema: dict[str, Any] = json.loads((folder / f"{name}.schema.json").read_text())
            cache[name] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return cache[name]

    return get
