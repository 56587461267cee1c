from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "cir.reference"
    label = "reference"
    verbose_name = "Referentiegegevens"
