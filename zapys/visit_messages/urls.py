from django.urls import path

from zapys.visit_messages import views

app_name = "visit_messages"

urlpatterns = [
    path("settings/visit-messages/", views.visit_message_settings, name="settings"),
]
