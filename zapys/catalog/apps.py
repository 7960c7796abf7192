from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zapys.catalog"
    label = "catalog"
