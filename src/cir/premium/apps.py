from django.apps import AppConfig


class PremiumConfig(AppConfig):
    name = "cir.premium"
    label = "premium"
