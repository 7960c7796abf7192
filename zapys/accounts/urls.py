from django.contrib.auth import views as auth_views
from django.urls import path

from zapys.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/organization/", views.settings_view, name="settings"),
    path("account/api-keys/", views.api_keys, name="api_keys"),
    path("account/api-keys/<id:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("branch/switch/", views.switch_branch, name="switch_branch"),
    path("settings/staff/", views.staff_list, name="staff"),
    path("settings/staff/new/", views.staff_new, name="staff_new"),
    path("settings/staff/<id:staff_id>/", views.staff_edit, name="staff_edit"),
    path("settings/branches/new/", views.branch_form, name="branch_new"),
    path("settings/branches/<id:branch_id>/", views.branch_form, name="branch_edit"),
]
