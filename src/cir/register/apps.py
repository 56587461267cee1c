from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "cir.register"
    label = "register"
    verbose_name = "Register"
