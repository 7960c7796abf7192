from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "zapys.messaging"
    label = "messaging"
