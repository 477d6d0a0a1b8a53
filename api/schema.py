"""What the OpenAPI schema says beyond what drf-spectacular infers, so that it tells the
truth to a client that knows only the schema:

- fields that some readers do not receive (a participant never gets a team member's
  person id, a grant's internal note or tutoring private notes) are not "required" in
  responses: a serializer lists them in ``omitted_for_some_readers``;
- every operation documents the errors it can answer (``document_error_responses``, a
  postprocessing hook): 400 with a message per field, 401 and 403 for authentication and
  permission, 404 for a record out of reach, 415 for a body that is not JSON, 429 when
  throttled."""

from drf_spectacular import openapi

VALIDATION_ERROR = "ValidationError"
ERROR_DETAIL = "ErrorDetail"

ERROR_COMPONENTS = {
    VALIDATION_ERROR: {
        "type": "object",
        "description": (
            "A list of messages per field name (nested for nested fields); "
            "`non_field_errors` for the record as a whole, `detail` for the request as a whole."
        ),
        "additionalProperties": {},
    },
    ERROR_DETAIL: {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "A stable code of the refusal, where there is one."},
        },
        "required": ["detail"],
    },
}

HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
WRITES = ("post", "put", "patch", "delete")


class AutoSchema(openapi.AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        omitted = getattr(serializer, "omitted_for_some_readers", ())
        if direction == "response" and omitted and "required" in result:
            result["required"] = [name for name in result["required"] if name not in omitted]
            if not result["required"]:
                del result["required"]
        return result


def _error(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors_of(path: str, method: str, operation: dict) -> dict[str, dict]:
    parameters = operation.get("parameters", [])
    has_query = any(p.get("in") == "query" for p in parameters)
    has_path = "{" in path
    has_body = "requestBody" in operation
    anonymous = not operation.get("security") or {} in operation.get("security", [])
    errors: dict[str, dict] = {}
    if has_body or has_query or method in WRITES:
        errors["400"] = _error("Invalid input: a message per field.", VALIDATION_ERROR)
    if not anonymous:
        errors["401"] = _error("Not authenticated, or the token is not valid.", ERROR_DETAIL)
    errors["403"] = _error(
        "Not allowed: the record is visible but the act is not (or a session without its CSRF token).",
        ERROR_DETAIL,
    )
    if has_path or has_query or method in WRITES:
        # A record out of reach answers 404 like one that does not exist (also one named
        # in a body, for the writes that look it up first); a page past the last one too.
        errors["404"] = _error("Not found (or not visible to the user).", ERROR_DETAIL)
    if has_body:
        errors["415"] = _error("The body is not of a documented media type.", ERROR_DETAIL)
    errors["429"] = _error("Too many requests: try again later.", ERROR_DETAIL)
    return errors


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the 4xx answers of every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in ERROR_COMPONENTS.items():
        schemas.setdefault(name, component)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in _errors_of(path, method, operation).items():
                responses.setdefault(status, response)
    return result


def file_responses(kinds: tuple[str, ...]) -> dict:
    """The 200 answers of a download of a stored file: served with the content type of its
    kind (``incubator.uploads``), anything else as octet-stream."""
    from drf_spectacular.types import OpenApiTypes

    from incubator import uploads

    types = {uploads.KINDS[name].content_type for name in kinds} | {"application/octet-stream"}
    return {(200, content_type): OpenApiTypes.BINARY for content_type in sorted(types)}
