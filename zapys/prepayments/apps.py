from django.apps import AppConfig


class PrepaymentsConfig(AppConfig):
    name = "zapys.prepayments"
    label = "prepayments"
