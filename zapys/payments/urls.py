from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.payments import views

app_name = "payments"

urlpatterns = [
    path("payments/callback/<str:provider>/<str:account_id>/", views.callback, name="callback"),
    # Tokens are URL-safe base64 (core.tokens); anything else, a NUL byte included (which
    # PostgreSQL refuses in a query: a 500), is not a page.
    re_path(
        r"^pay/(?P<token>[A-Za-z0-9_-]{1,128})/$",
        limit_token_misses(views.payment_page),
        name="page",
    ),
    path("payments/sandbox/checkout/", views.sandbox_checkout, name="sandbox_checkout"),
    path("payments/sandbox/api/", views.sandbox_api_view, name="sandbox_api"),
    path("settings/payment-accounts/", views.accounts, name="accounts"),
    path("settings/payment-accounts/<id:pk>/", views.account_edit, name="account_edit"),
    path("settings/payment-accounts/<id:pk>/toggle/", views.account_toggle, name="account_toggle"),
    path("payments/", views.payment_list, name="list"),
    path("payments/<id:pk>/", views.payment_detail, name="detail"),
]
