"""The OAuth2 validator of the interface: django-oauth-toolkit's, with a leaner token lookup.

Every API call looks its bearer token up in the database (no cache: a revoked or expired token
stops working on the very next call). The lookup also brings the client's binding and company,
which every view needs, so that one query answers what used to take three.
"""

from __future__ import annotations

import hashlib
from typing import Any

from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def _load_access_token(self, token: str) -> Any:
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return (
            AccessToken.objects.select_related("application__binding__company", "user")
            .filter(token_checksum=checksum)
            .first()
        )
