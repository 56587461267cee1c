"""The OAuth2 validator of the interface: django-oauth-toolkit's, with a leaner token lookup.

Every API call still looks its bearer token up in the database: nothing is cached, so a revoked
or expired token stops working on the very next call. The lookup also brings the client's
application, binding and company, which every view needs, in the same query (three queries
before). On PostgreSQL that query has a fixed text, so the ORM's query compiler, which costs
more than the query itself, is not on the path of every call.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from cir.interface.models import ClientBinding
from cir.prepared import fetch_prepared
from cir.reference.models import HousingCompany

_MODELS = (AccessToken, Application, ClientBinding, HousingCompany)
_SQL: str | None = None


def _sql() -> str:
    def cols(alias: str, model: Any) -> str:
        return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)

    token, app, binding, company = (m._meta.db_table for m in _MODELS)
    return (
        f"SELECT {cols('t', AccessToken)}, {cols('a', Application)}, "
        f"{cols('b', ClientBinding)}, {cols('c', HousingCompany)} "
        f'FROM "{token}" t '
        f'LEFT JOIN "{app}" a ON a.id = t.application_id '
        f'LEFT JOIN "{binding}" b ON b.application_id = a.id '
        f'LEFT JOIN "{company}" c ON c.id = b.company_id '
        "WHERE t.token_checksum = %s"
    )


def _instance(model: Any, values: list[Any]) -> Any:
    fields = model._meta.concrete_fields
    if values[0] is None:  # the primary key: no such row (outer join)
        return None
    converted = [
        f.from_db_value(v, None, connection) if v is not None and hasattr(f, "from_db_value") else v
        for f, v in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def load_access_token(token: str) -> Any:
    """The access token with its application, binding and company, or ``None``."""
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    if connection.vendor != "postgresql":
        return (
            AccessToken.objects.select_related("application__binding__company", "user")
            .filter(token_checksum=checksum)
            .first()
        )
    global _SQL
    if _SQL is None:
        _SQL = _sql()
    row = fetch_prepared(_SQL, [checksum])
    if row is None:
        return None
    found = []
    offset = 0
    for model in _MODELS:
        n = len(model._meta.concrete_fields)
        found.append(_instance(model, list(row[offset : offset + n])))
        offset += n
    access_token, application, binding, company = found
    AccessToken._meta.get_field("application").set_cached_value(access_token, application)
    if application is not None:
        # The reverse one-to-one: None makes ``application.binding`` raise DoesNotExist.
        Application.binding.related.set_cached_value(application, binding)
    if binding is not None:
        ClientBinding._meta.get_field("application").set_cached_value(binding, application)
        ClientBinding._meta.get_field("company").set_cached_value(binding, company)
    return access_token


class Validator(OAuth2Validator):
    def _load_access_token(self, token: str) -> Any:
        return load_access_token(token)


class BearerTokenAuthentication(BaseAuthentication):
    """RFC 6750 bearer tokens issued by django-oauth-toolkit, checked as its validator does
    (the token exists and has not expired; scopes are the permission classes' business),
    without oauthlib's request machinery, which costs more than the lookup on every call."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        token = load_access_token(value.strip())
        if token is None or token.is_expired():
            raise AuthenticationFailed("invalid or expired token")
        return (token.user if token.user_id else None, token)

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="cir"'
