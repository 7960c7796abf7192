from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.invoices import views

app_name = "invoices"

urlpatterns = [
    path("finance/invoices/", views.invoice_list, name="list"),
    path("finance/invoices/archive/", views.invoices_archive, name="archive"),
    path("finance/invoices/<id:pk>/", views.invoice_detail, name="detail"),
    path("clients/<id:client_id>/invoices/", views.client_invoices, name="client_invoices"),
    path("clients/<id:client_id>/invoices/new/", views.invoice_new, name="new"),
    path("settings/invoices/", views.settings_view, name="settings"),
    path("finance/invoice-rules/", views.rule_list, name="rules"),
    path("finance/invoice-rules/<id:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("finance/invoice-rules/<id:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("finance/invoice-rules/reminders/<id:pk>/", views.dunning_edit, name="dunning_edit"),
    path(
        "finance/invoice-rules/preview/<str:kind>/",
        views.message_preview,
        name="message_preview",
    ),
    path(
        "finance/invoice-rules/reminders/<id:pk>/delete/",
        views.dunning_delete,
        name="dunning_delete",
    ),
    # URL-safe base64 only (core.tokens), like the other token pages.
    re_path(
        r"^i/(?P<token>[A-Za-z0-9_-]{1,128})/$",
        limit_token_misses(views.invoice_page),
        name="page",
    ),
]
