"""Which OAuth2 scopes a client may get: the one its binding allows, nothing more."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import SettingsScopes

from cir.policy import Scope


class BindingScopes(SettingsScopes):
    def _for(self, application: Any) -> list[str]:
        binding = getattr(application, "binding", None)
        if binding is None:
            return []
        return [Scope.RENT_PREMIUM] if binding.rent_premium else [Scope.LOCAL_SOFTWARE]

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return super().get_available_scopes(application, request, *args, **kwargs)
        return self._for(application)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return super().get_default_scopes(application, request, *args, **kwargs)
        return self._for(application)
