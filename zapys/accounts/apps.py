from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zapys.accounts"
    label = "accounts"
