from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    """The waiting list (X2, X7): freed slots offered in turn, with a prepayment link."""

    name = "zapys.waitlist"
    label = "waitlist"
