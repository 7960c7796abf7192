from django.apps import AppConfig


class BotsConfig(AppConfig):
    """The organization's Telegram and Viber bot (K2): webhooks, phone binding, commands."""

    name = "zapys.bots"
    label = "bots"
