from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.prepayments import views
from zapys.prepayments.client_move import client_move_page
from zapys.prepayments.visit_balance_views import visit_balance
from zapys.prepayments.visit_refund_views import visit_refunds

app_name = "prepayments"

urlpatterns = [
    path("settings/prepayment/", views.settings_view, name="settings"),
    path("settings/prepayment/booking-types/", views.booking_type_new, name="booking_type_new"),
    path("settings/prepayment/rules/", views.rule_new, name="rule_new"),
    path("settings/prepayment/rules/<id:pk>/delete/", views.rule_delete, name="rule_delete"),
    path(
        "settings/prepayment/branches/<id:branch_id>/",
        views.branch_finance,
        name="branch_finance",
    ),
    path("settings/prepayment/cancel-status/", views.cancel_status_new, name="cancel_status_new"),
    path("prepayments/", views.bookings_report, name="bookings"),
    path("prepayments/<id:pk>/", views.booking_detail, name="detail"),
    path("prepayments/<id:pk>/resend/", views.booking_resend, name="resend"),
    path("prepayments/<id:pk>/extend/", views.booking_extend, name="extend"),
    path("prepayments/<id:pk>/<slug:action>/", views.booking_action, name="action"),
    path("visits/<id:visit_id>/booking/", views.visit_booking, name="visit_booking"),
    path("visits/<id:visit_id>/cancel-paid/", views.visit_cancel, name="visit_cancel"),
    path("visits/<id:visit_id>/refunds/", visit_refunds, name="visit_refunds"),
    path("visits/<id:visit_id>/balance/", visit_balance, name="visit_balance"),
    path("settings/prepayment/policies/", views.policy_new, name="policy_new"),
    path("prepayments/cancellations/", views.cancellations_report, name="cancellations"),
    # URL-safe base64 only (core.tokens): a NUL byte in the lookup was a 500 on PostgreSQL.
    re_path(
        r"^p/(?P<token>[A-Za-z0-9_-]{1,128})/$",
        limit_token_misses(views.payment_page),
        name="page",
    ),
    re_path(
        r"^p/(?P<token>[A-Za-z0-9_-]{1,128})/cancel/$",
        limit_token_misses(views.client_cancel_page),
        name="client_cancel",
    ),
    re_path(
        r"^p/(?P<token>[A-Za-z0-9_-]{1,128})/move/$",
        limit_token_misses(client_move_page),
        name="client_move",
    ),
]
