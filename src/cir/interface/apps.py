from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    name = "cir.interface"
    label = "interface"
    verbose_name = "Interface lokale software"
