"""The HTML pages: sign in, sign up, sign out, the document list and the editor shell.

The pages are thin: they authenticate, authorize through `documents.access`, and hand the
browser code (built from `editor_frontend/` into `static/editor/`) what it needs as JSON. Every
change to a document goes through the REST API or the WebSocket, never through these views.
"""

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from documents.access import find_document, is_member, remember_link_visit
from documents.access_requests import ask_for_access
from documents.error_pages import mark_product_page
from documents.models import NotificationSettings
from documents.notification_emails import wants_email
from documents.people import display_name, presence_user
from documents.realtime.routing import WEBSOCKET_PATH
from documents.throttling import (
    SIGN_IN_THROTTLES,
    SignUpAddressThrottle,
    refusal_wait,
    too_many_attempts_message,
    with_retry_after,
)

API_DOCUMENTS_PATH = "/api/documents/"
# The page's own idea of a signed-out visitor; the server names each one in presence.
VISITOR = {"id": None, "username": "", "name": "Anonymous visitor", "color": "#6b7280"}


def _user_payload(user: AbstractBaseUser) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        **presence_user(user),
    }


def _safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points back to this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


class SignInView(LoginView):
    """Django's sign-in, on our template; a signed-in visitor goes straight to the list.
    Throttled per account and per client address: a refused attempt is a 429 before any
    password is checked."""

    template_name = "documents/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("pages:document-list")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        wait = refusal_wait(request, SIGN_IN_THROTTLES)
        if wait is None:
            return super().post(request, *args, **kwargs)
        # Unbound: a bound form would check the password as soon as the page shows its errors.
        form = self.get_form_class()(request, initial={"username": request.POST.get("username")})
        context = self.get_context_data(form=form, refusal=too_many_attempts_message(wait))
        return with_retry_after(self.render_to_response(context), wait)


class SignOutView(LogoutView):
    """Sign out (POST only, CSRF-protected, as Django's LogoutView requires)."""

    next_page = reverse_lazy("pages:login")


class SignUpForm(UserCreationForm):
    """Username, an optional full name, and the password twice (Django's validators apply)."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        required=False,
        help_text="Optional. Shown to the people you edit with; your username otherwise.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

    field_order = ("username", "full_name", "password1", "password2")

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        # Stored whole so that get_full_name() gives back exactly what was typed.
        user.first_name = self.cleaned_data["full_name"].strip()
        user.last_name = ""
        if commit:
            user.save()
        return user


def sign_up(request: HttpRequest) -> HttpResponse:
    """Create an account, sign it in, and go on to `next` or the document list."""
    if request.user.is_authenticated:
        return redirect("pages:document-list")
    next_page = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST":
        wait = refusal_wait(request, [SignUpAddressThrottle])
        if wait is not None:
            # Unvalidated: its errors would tell whether the username is taken.
            form = SignUpForm(initial={"username": request.POST.get("username")})
            context = {"form": form, "next": next_page, "refusal": too_many_attempts_message(wait)}
            return with_retry_after(render(request, "documents/signup.html", context), wait)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request, "pages:document-list"))
    return render(request, "documents/signup.html", {"form": form, "next": next_page})


@login_required
@ensure_csrf_cookie
def document_list(request: HttpRequest) -> HttpResponse:
    """The document list; the browser code fills it from `GET /api/documents/`."""
    config = {
        "user": _user_payload(request.user),
        "apiBase": API_DOCUMENTS_PATH,
        "editorBase": "/documents/",
        "maxImportBytes": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "documents/list.html", {"config": config})


@ensure_csrf_cookie
def editor(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """The editor shell; 404 for documents the user may not see, exactly as for unknown ones
    (with a button to ask for access), and the sign-in page for visitors signed out, unless
    the document's link is public."""
    found = find_document(request.user, document_id)
    if found is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _not_available(request, document_id)
    document, role = found
    member = is_member(request.user, document)
    if request.user.is_authenticated and not member:
        remember_link_visit(request.user, document)
    config = {
        "documentId": str(document.pk),
        "title": document.title,
        "role": role.value,
        "canEdit": role.can_edit,
        "canManage": role.can_manage,
        "isMember": member,
        "linkAccess": document.link_access,
        "linkRole": document.link_role,
        "owner": {
            "username": document.owner.get_username(),
            "name": display_name(document.owner),
        },
        "user": _user_payload(request.user) if request.user.is_authenticated else VISITOR,
        "signedIn": request.user.is_authenticated,
        "websocketPath": WEBSOCKET_PATH,
        "apiBase": API_DOCUMENTS_PATH,
        "listUrl": resolve_url("pages:document-list"),
        "loginUrl": resolve_url("pages:login"),
        # Tests open two contexts of one browser; no cross-tab shortcut may hide a broken server.
        "disableBroadcast": request.GET.get("test") == "1",
    }
    return render(request, "documents/editor.html", {"document": document, "config": config})


def _not_available(request: HttpRequest, document_id: UUID, asked: bool = False) -> HttpResponse:
    context = {"document_id": document_id, "asked": asked}
    return mark_product_page(render(request, "documents/not_found.html", context, status=404))


@login_required
@require_POST
def request_access(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """The not-available page's "Request access" button: the owner is asked, if there is a
    document and the user has no access; the page says the same either way."""
    ask_for_access(request.user, document_id)
    return _not_available(request, document_id, asked=True)


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Whether notifications also come by e-mail (a small settings page of its own)."""
    saved = request.method == "POST"
    if saved:
        NotificationSettings.objects.update_or_create(
            user=request.user, defaults={"email": request.POST.get("email") == "1"}
        )
    context = {
        "email": wants_email(request.user),
        "address": getattr(request.user, request.user.get_email_field_name()),
        "saved": saved,
    }
    return render(request, "documents/notification_settings.html", context)
