"""Hostile JSON bodies: nesting that would exhaust the stack is a 400 that names the limit."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from documents.api.parsers import json_depth

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def put_raw(api: APIClient, url: str, body: str):
    return api.put(url, body, content_type="application/json")


def nested_array(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1_000, 50_000, 100_000])
def test_a_body_nested_thousands_deep_is_a_400_naming_the_limit(api, user, make_document, depth):
    document = make_document(user)
    url = f"/api/documents/{document.id}/content"
    assert put_raw(api, url, '{"format": "text", "content": "kept"}').status_code == 200

    body = '{"format": "json", "content": ' + nested_array(depth) + "}"
    response = put_raw(api, url, body)

    assert response.status_code == 400
    limit = settings.API_MAX_JSON_DEPTH
    assert response.json()["detail"] == (
        f"JSON parse error - nested deeper than the limit of {limit} levels."
    )
    assert api.get(f"{url}?format=text").json()["content"] == "kept"


def test_every_json_endpoint_refuses_deep_bodies(api):
    response = api.post("/api/documents/", '{"title": ' + nested_array(5_000) + "}",
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert "nested deeper than the limit" in response.json()["detail"]


def test_a_body_at_the_limit_parses_and_one_level_more_does_not(api, user, make_document):
    document = make_document(user)
    url = f"/api/documents/{document.id}/content"
    limit = settings.API_MAX_JSON_DEPTH
    # The body object is one level; its "content" array brings the rest.
    at_limit = '{"format": "text", "content": ' + nested_array(limit - 1) + "}"
    over = '{"format": "text", "content": ' + nested_array(limit) + "}"
    at_limit_response = put_raw(api, url, at_limit)
    assert at_limit_response.status_code == 400  # parsed, then refused by the serializer
    assert at_limit_response.json() == {"content": ["Content must be a string."]}
    assert "nested deeper" in put_raw(api, url, over).json()["detail"]


def test_deep_prosemirror_content_is_refused_with_the_content_limit(api, user, make_document):
    # Shallow enough for the parser, deeper than the schema holds: the content's limit speaks.
    document = make_document(user)
    url = f"/api/documents/{document.id}/content"
    depth = settings.CONTENT["MAX_DEPTH"]
    node = {"type": "paragraph", "content": [{"type": "text", "text": "deep"}]}
    for _ in range(depth):
        node = {"type": "blockquote", "content": [node]}
    body = {"format": "json", "content": {"type": "doc", "content": [node]}}
    assert json_depth(body, 10_000) < settings.API_MAX_JSON_DEPTH

    response = put_raw(api, url, json.dumps(body))

    assert response.status_code == 400
    assert response.json() == {
        "content": [f"The content is nested deeper than the limit of {depth} levels."]
    }
    node["content"] = node["content"][0]["content"]  # one level less: accepted whole
    assert put_raw(api, url, json.dumps(body)).status_code == 200
    assert api.get(f"{url}?format=text").json()["content"] == "deep"


def test_json_depth_counts_without_recursion_and_stops_past_the_limit():
    assert json_depth(1, 5) == 0
    assert json_depth({"a": [1, {"b": []}]}, 5) == 4
    assert json_depth(json.loads(nested_array(900)), 5) == 6
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth(deep, 200) == 201
