from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zapys.core"
    label = "core"
