from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    """The visit checkout (V1): what a visit costs, what covers it, and taking the rest."""

    name = "zapys.checkout"
    label = "checkout"
