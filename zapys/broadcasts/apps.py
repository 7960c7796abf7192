from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    """Broadcasts (M5): one message to an audience, queued in batches through the outbox."""

    name = "zapys.broadcasts"
    label = "broadcasts"
