from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "zapys.clients"
    label = "clients"
