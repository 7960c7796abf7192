from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "zapys.schedule"
    label = "schedule"
