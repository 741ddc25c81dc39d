"""REST API routes, mounted at /api/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from documents.api import access_requests, attachments, exchange, notifications, threads, views

router = SimpleRouter(trailing_slash=True)
router.register("documents", views.DocumentViewSet, basename="document")

document = "documents/<uuid:document_id>/"

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(f"{document}content", views.ContentView.as_view(), name="document-content"),
    # The same with a trailing slash, for clients used to DRF's style (not in the schema).
    path(f"{document}content/", views.ContentView.as_view(schema=None)),
    path(f"{document}members/", views.MemberListView.as_view(), name="document-members"),
    path(
        f"{document}members/<str:username>/",
        views.MemberDetailView.as_view(),
        name="document-member",
    ),
    path(f"{document}versions/", views.VersionListView.as_view(), name="document-versions"),
    path(
        f"{document}versions/<int:version_id>/",
        views.VersionDetailView.as_view(),
        name="document-version",
    ),
    path(
        f"{document}versions/<int:version_id>/restore/",
        views.VersionRestoreView.as_view(),
        name="document-version-restore",
    ),
    path(
        f"{document}attachments/",
        attachments.AttachmentListView.as_view(),
        name="document-attachments",
    ),
    path(
        f"{document}attachments/fetch/",
        attachments.AttachmentFetchView.as_view(),
        name="document-attachment-fetch",
    ),
    path(
        f"{document}attachments/<uuid:attachment_id>",
        attachments.AttachmentFileView.as_view(),
        name="document-attachment",
    ),
    path(f"{document}export", exchange.ExportView.as_view(), name="document-export"),
    path(
        f"{document}access/request/",
        access_requests.AskForAccessView.as_view(),
        name="document-ask-for-access",
    ),
    path(
        f"{document}access-requests/",
        access_requests.AccessRequestListView.as_view(),
        name="document-access-requests",
    ),
    path(
        f"{document}access-requests/<str:username>/",
        access_requests.AccessRequestDetailView.as_view(),
        name="document-access-request",
    ),
    path(f"{document}threads/", threads.ThreadListView.as_view(), name="document-threads"),
    path(
        f"{document}threads/seen/",
        threads.CommentsSeenView.as_view(),
        name="document-comments-seen",
    ),
    path(
        f"{document}threads/<uuid:thread_id>/",
        threads.ThreadDetailView.as_view(),
        name="document-thread",
    ),
    path(
        f"{document}threads/<uuid:thread_id>/comments/",
        threads.ThreadCommentsView.as_view(),
        name="document-thread-comments",
    ),
    path(
        f"{document}threads/<uuid:thread_id>/comments/<int:comment_id>/",
        threads.CommentDetailView.as_view(),
        name="document-thread-comment",
    ),
    path(
        f"{document}threads/<uuid:thread_id>/resolve/",
        threads.ThreadStatusView.as_view(new_status="resolved"),
        name="document-thread-resolve",
    ),
    path(
        f"{document}threads/<uuid:thread_id>/reopen/",
        threads.ThreadStatusView.as_view(new_status="open"),
        name="document-thread-reopen",
    ),
    path(f"{document}people/", threads.PeopleView.as_view(), name="document-people"),
    # Before the router, whose detail route would take "import" for an id.
    path("documents/import", exchange.ImportView.as_view(), name="document-import"),
    path("documents/import/", exchange.ImportView.as_view(schema=None)),
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path("", include(router.urls)),
    re_path(r"^.*$", views.api_not_found),
]
