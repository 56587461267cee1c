from django.apps import AppConfig


class MigrationConfig(AppConfig):
    name = "cir.migration"
    label = "migration"
