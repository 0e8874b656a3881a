"""Pure parts of the API conventions: request ids, Idempotency-Key, ETags, OpenAPI problems."""

from __future__ import annotations

from services.gateway.http.etag import etag_of, matches
from services.gateway.http.openapi_problems import document_problems
from services.gateway.http.request_id import accepted_request_id
from services.gateway.idempotency.model import caller_id, fingerprint, should_store, valid_key


def test_request_ids_are_accepted_only_when_safe_to_echo_and_log() -> None:
    assert accepted_request_id("abc-123_X.y") == "abc-123_X.y"
    assert accepted_request_id("x" * 128) == "x" * 128
    for bad in (None, "", "x" * 129, "has space", "tab\t", "é", "nl\n"):
        assert accepted_request_id(bad) is None, bad


def test_idempotency_keys_and_fingerprints() -> None:
    assert valid_key("a") and valid_key("k" * 255) and valid_key("with space")
    assert not valid_key("") and not valid_key("k" * 256) and not valid_key("é")
    base = fingerprint("POST", "/v1/x", b"", b'{"a":1}')
    assert base == fingerprint("POST", "/v1/x", b"", b'{"a":1}')
    assert base != fingerprint("POST", "/v1/y", b"", b'{"a":1}')
    assert base != fingerprint("POST", "/v1/x", b"", b'{"a":2}')
    # Parts are length-prefixed: moving bytes between them changes the print.
    assert fingerprint("POST", "/v1/x", b"a", b"b") != fingerprint("POST", "/v1/x", b"", b"ab")
    assert caller_id("Bearer a") != caller_id("Bearer b")
    assert "Bearer" not in caller_id("Bearer a")
    assert should_store(201) and not should_store(428) and not should_store(503)


def test_if_none_match_lists_weak_tags_and_star() -> None:
    tag = etag_of(b"{}")
    assert matches(tag, tag) and matches(f'"x", W/{tag}', tag) and matches("*", tag)
    assert not matches(None, tag) and not matches('"x"', tag)
    assert etag_of(b"{}") != etag_of(b"[]")


def test_openapi_errors_become_problem_json() -> None:
    schema = {
        "paths": {
            "/v1/t/{id}": {
                "post": {
                    "security": [{"HTTPBearer": []}],
                    "requestBody": {},
                    "responses": {
                        "202": {"description": "ok"},
                        "422": {
                            "description": "Validation Error",
                            "content": {"application/json": {"schema": {"$ref": "#/x"}}},
                        },
                    },
                }
            }
        },
        "components": {"schemas": {"HTTPValidationError": {}, "ValidationError": {}}},
    }
    responses = document_problems(schema)["paths"]["/v1/t/{id}"]["post"]["responses"]
    assert set(responses) == {"202", "400", "401", "403", "404", "409", "413", "422", "503"}
    for status in set(responses) - {"202"}:
        assert list(responses[status]["content"]) == ["application/problem+json"], status
    assert "Retry-After" in responses["503"]["headers"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "ProblemDetails" in schema["components"]["schemas"]
