from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.outbox, name="outbox"),
    path("messages/<id:pk>/", views.message_detail, name="message"),
    path("messages/<id:pk>/retry/", views.message_retry, name="message_retry"),
    path("clients/<id:client_id>/messages/", views.client_messages, name="client_messages"),
    path(
        "clients/<id:client_id>/messages/send/",
        views.client_message_send,
        name="client_message_send",
    ),
    path(
        "clients/<id:client_id>/messengers/link/",
        views.client_messenger_link,
        name="client_messenger_link",
    ),
    path(
        "clients/<id:client_id>/messengers/<str:channel>/unlink/",
        views.client_messenger_unlink,
        name="client_messenger_unlink",
    ),
    path("settings/messaging/", views.settings_view, name="settings"),
    path("settings/messaging/order/", views.channel_order_save, name="channel_order"),
    path("settings/messaging/accounts/new/", views.account_edit, name="account_new"),
    path("settings/messaging/accounts/<id:pk>/", views.account_edit, name="account_edit"),
    path(
        "settings/messaging/accounts/<id:pk>/delete/",
        views.account_delete,
        name="account_delete",
    ),
    path("settings/messaging/templates/", views.templates_view, name="templates"),
    path(
        "settings/messaging/templates/<str:event>/<str:channel>/",
        views.template_edit,
        name="template_edit",
    ),
    path("messaging/sms-info/", views.sms_info, name="sms_info"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/<id:pk>/read/", views.notification_read, name="notification_read"),
    re_path(
        r"^u/(?P<token>[0-9]{1,18}\.[A-Za-z0-9_-]{1,64})/$",
        limit_token_misses(views.unsubscribe),
        name="unsubscribe",
    ),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
