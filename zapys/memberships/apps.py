from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "zapys.memberships"
    label = "memberships"
