"""The Content-Security-Policy: every page carries it, and no page holds inline code it blocks."""

import base64
import hashlib
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]

ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/signup/"]


# `{document}` is a document of the signed-in operator.
SIGNED_IN_PAGES = [
    "/",
    "/documents/{document}/",
    "/no/such/page",
    "/documents/00000000-0000-0000-0000-000000000000/",
    "/api/",
    "/api/documents/",
    "/api/documents/{document}/",
    "/api/documents/{document}/members/",
    "/api/documents/{document}/versions/",
    "/api/docs/",
    "/admin/",
    "/admin/documents/document/",
    "/admin/documents/document/{document}/change/",
    "/admin/documents/document/add/",
]


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, directive by directive."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    directives = (part.split() for part in header.split(";"))
    return {name: sources for name, *sources in directives}


def assert_strict(response) -> dict[str, list[str]]:
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        sources = directives[name]
        assert "'self'" in sources
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(sources), name
        assert all(s == "'self'" or s.startswith("'nonce-") for s in sources), sources
    assert "'unsafe-inline'" not in directives["style-src-attr"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    return directives


class InlineCode(HTMLParser):
    """Collects a page's inline code: scripts and styles with their nonces, event handler
    attributes, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, str | None]] = []  # (tag, nonce)
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        # JSON data blocks (json_script) are not run.
        executable = attributes.get("type") not in {"application/json"}
        if (tag == "script" and "src" not in attributes and executable) or tag == "style":
            self.elements.append((tag, attributes.get("nonce")))
        self.handlers += [name for name in attributes if name.startswith("on")]
        if attributes.get("style") is not None:
            self.style_attributes.append(attributes["style"])


def sha256_source(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def assert_runs_under_policy(response) -> None:
    """Every inline script and style of the page has the response's nonce, no element has an
    event handler attribute, and every style attribute is one the policy allows by hash."""
    directives = assert_strict(response)
    if "html" not in response.headers.get("Content-Type", ""):
        return
    page = InlineCode()
    page.feed(response.content.decode())
    path = response.request["PATH_INFO"]
    for tag, nonce in page.elements:
        source = "script-src" if tag == "script" else "style-src"
        assert nonce is not None, f"{path}: an inline <{tag}> without a nonce"
        assert f"'nonce-{nonce}'" in directives[source], f"{path}: <{tag}> nonce not in policy"
    assert page.handlers == [], f"{path}: event handler attributes"
    for style in page.style_attributes:
        assert sha256_source(style) in directives["style-src-attr"], f"{path}: style={style!r}"


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_the_anonymous_pages_carry_the_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_runs_under_policy(response)


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_every_signed_in_page_carries_the_policy(make_user, make_document, path):
    operator = make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    response = client.get(path.format(document=make_document(operator).id), HTTP_ACCEPT="text/html")
    assert response.status_code in {200, 404}
    assert_runs_under_policy(response)


def test_api_responses_carry_the_policy_too(user, token_for):
    response = Client().get("/api/documents/", HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    assert response.headers["Content-Type"] == "application/json"
    assert_strict(response)


@pytest.mark.parametrize("debug", [True, False])
def test_the_error_pages_carry_the_policy(user, debug):
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.force_login(user)
    with override_settings(DEBUG=debug):
        responses = {
            404: client.get("/no/such/page"),
            403: client.post("/accounts/logout/"),
            500: client.get("/fail/"),
        }
    for status, response in responses.items():
        assert response.status_code == status
        assert_runs_under_policy(response)


def test_the_api_docs_inline_code_runs_with_the_requests_nonce(client):
    first, second = client.get("/api/docs/"), client.get("/api/docs/")
    nonces = [
        next(s for s in policy(response)["script-src"] if s.startswith("'nonce-"))
        for response in (first, second)
    ]
    assert nonces[0] != nonces[1]
    assert_runs_under_policy(first)
    assert b"SwaggerUIBundle" in first.content


def test_pages_without_inline_code_get_no_nonce(client):
    directives = policy(client.get("/accounts/login/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
