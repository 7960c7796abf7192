from django.urls import path

from zapys.memberships import views

app_name = "memberships"

urlpatterns = [
    path("memberships/plans/", views.plans, name="plans"),
    path("memberships/plans/new/", views.plan_edit, name="plan_new"),
    path("memberships/plans/<id:plan_id>/", views.plan_edit, name="plan_edit"),
    path("memberships/plans/<id:plan_id>/archive/", views.plan_archive, name="plan_archive"),
    path(
        "clients/<id:client_id>/memberships/", views.client_memberships, name="client_memberships"
    ),
    path("clients/<id:client_id>/memberships/sell/", views.sell, name="sell"),
    path("memberships/<id:membership_id>/", views.manage, name="manage"),
]
