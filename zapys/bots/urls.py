from django.urls import path

from zapys.bots import views, webhooks

app_name = "bots"

urlpatterns = [
    # Telegram and Viber deliver the bot's updates here (secret token / signature checked).
    path("bots/telegram/<int:account_id>/", webhooks.telegram_webhook, name="telegram_webhook"),
    path("bots/viber/<int:account_id>/", webhooks.viber_webhook, name="viber_webhook"),
    # Staff: register a bot's webhook (the messaging settings page's button).
    path(
        "settings/messaging/bots/<id:account_id>/webhook/",
        views.webhook_register,
        name="webhook_register",
    ),
    # Staff: my own Telegram / Viber for staff notifications.
    path("me/messengers/", views.my_messengers, name="my_messengers"),
]
