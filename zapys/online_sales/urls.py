from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.online_sales import views

app_name = "online_sales"

urlpatterns = [
    path("settings/online-sales/", views.settings_view, name="settings"),
    path("online-sales/", views.sales_view, name="sales"),
    path("online-sales/code/", views.code_lookup, name="code"),
    path("online-sales/plans/", views.plans_view, name="plans"),
    path("online-sales/plans/<id:plan_id>/button/", views.button_view, name="button"),
    path("online-sales/report/", views.report_view, name="report"),
    path("online-sales/<id:sale_id>/", views.sale_view, name="sale"),
    path("online-sales/<id:sale_id>/refund/", views.sale_refund, name="refund"),
    path("online-sales/<id:sale_id>/lessons/", views.sale_lessons, name="sale_lessons"),
    # Public: the storefront, a plan's purchase page (what a button opens), the purchase.
    path("shop/<slug:org_slug>/", views.storefront, name="storefront"),
    path("shop/<slug:org_slug>/<id:plan_id>/", views.plan_page, name="plan_page"),
    re_path(
        r"^shop/done/(?P<token>[A-Za-z0-9_-]{1,128})/$",
        limit_token_misses(views.sale_page),
        name="sale_page",
    ),
]
