from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "zapys.payments"
    label = "payments"
