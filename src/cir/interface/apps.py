from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    name = "cir.interface"
    label = "interface"
    verbose_name = "Interface lokale software"

    def ready(self) -> None:
        from cir.interface import schema  # noqa: F401  (registers the OpenAPI extension)
