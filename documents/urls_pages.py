"""Routes of the HTML pages, mounted at the site root."""

from django.urls import path

from documents import views

app_name = "pages"

urlpatterns = [
    path("", views.document_list, name="document-list"),
    path("documents/<uuid:document_id>/", views.editor, name="editor"),
    path(
        "documents/<uuid:document_id>/request-access",
        views.request_access,
        name="request-access",
    ),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/signup/", views.sign_up, name="signup"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path(
        "accounts/notifications/",
        views.notification_settings,
        name="notification-settings",
    ),
]
