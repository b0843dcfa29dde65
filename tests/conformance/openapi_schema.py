"""OpenAPI 3.0 document -> JSON Schema (draft 7) pieces, shared by conformance.py and make_examples.py.

Only the standard library and jsonschema (Debian: python3-jsonschema 4.x)."""

import json
import os
import re
from datetime import date

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_PATH = os.path.join(HERE, "openapi-pancake-2026-03.json")
METHODS = ("get", "post", "put", "delete", "patch")

# Keywords that only annotate a schema in OpenAPI 3.0 (dropped, so they cannot be mistaken for
# assertions by a JSON Schema validator).
ANNOTATIONS = {"example", "xml", "externalDocs", "discriminator", "readOnly", "writeOnly", "deprecated"}
JSON_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


def load_spec(path=SPEC_PATH):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def resolve_ref(spec, ref):
    if not ref.startswith("#/"):
        raise ValueError("only local $refs are supported: " + ref)
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(spec, node):
    """Follows $ref chains of a parameter, request body or response object."""
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_ref(spec, node["$ref"])
    return node


def to_json_schema(spec, schema, notes=None, depth=0):
    """One OpenAPI 3.0 Schema Object -> a self-contained draft 7 schema ($refs inlined).

    nullable: true becomes a type list with "null" (plus null in an enum), or anyOf [schema, null]
    where the schema has no type. `notes` collects what had to be repaired in the document."""
    if depth > 64:
        raise ValueError("schema nesting too deep (a $ref cycle?)")
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        # OpenAPI 3.0 ignores a $ref's siblings; `nullable` beside a $ref is still plainly meant.
        target = dict(resolve_ref(spec, schema["$ref"]))
        if schema.get("nullable"):
            target["nullable"] = True
        return to_json_schema(spec, target, notes, depth + 1)
    out = {}
    for key, value in schema.items():
        if key in ANNOTATIONS or key == "nullable":
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {k: to_json_schema(spec, v, notes, depth + 1) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(spec, value, notes, depth + 1) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(spec, v, notes, depth + 1) for v in value]
        elif key == "type" and value not in JSON_TYPES:
            # The document types page_customer_id as "UUID": not a JSON type; it is a string.
            if notes is not None:
                notes.append('type "%s" read as "string"' % value)
            out[key] = "string"
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            # Draft 4 style (OpenAPI 3.0): a flag on minimum/maximum; draft 7 wants the bound.
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in schema:
                out[key] = schema[bound]
        else:
            out[key] = value
    if schema.get("nullable"):
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif isinstance(t, list) and "null" not in t:
            out["type"] = t + ["null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        if t is None:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


# Formats: only date-time and date assert (RFC 3339, with a zone for date-time); the rest are
# annotations, as OpenAPI leaves them.
DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time")
def _is_date_time(value):
    return not isinstance(value, str) or bool(DATE_TIME_RE.match(value))


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value):
    if isinstance(value, str):
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise ValueError("not YYYY-MM-DD")
        date.fromisoformat(value)
    return True


def validator(schema):
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=FORMAT_CHECKER)


class Operation:
    """One operation of the document: method, path template, base paths, parameters, bodies."""

    def __init__(self, spec, path, method, op, path_item):
        self.spec = spec
        self.path = path
        self.method = method.upper()
        self.key = "%s %s" % (self.method, path)
        self.op = op
        self.notes = []
        servers = op.get("servers") or path_item.get("servers") or spec.get("servers") or [{"url": "/"}]
        self.bases = []
        for s in servers:
            base = re.sub(r"^[a-z]+://[^/]+", "", s["url"]).rstrip("/")
            if base not in self.bases:
                self.bases.append(base)
        params = {}
        for p in path_item.get("parameters", []) + op.get("parameters", []):
            p = deref(spec, p)
            params[(p["in"], p["name"])] = p
        self.params = list(params.values())
        self.template_vars = re.findall(r"{([^}]+)}", path)
        self.path_re = re.compile("^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(path)) + "$")
        self.body = deref(spec, op.get("requestBody")) if op.get("requestBody") else None

    def param_schema(self, p):
        return to_json_schema(self.spec, p.get("schema", {}), self.notes)

    def query_params(self):
        return [p for p in self.params if p["in"] == "query"]

    def body_schema(self, media):
        content = (self.body or {}).get("content", {})
        if media not in content or "schema" not in content[media]:
            return None
        return to_json_schema(self.spec, content[media]["schema"], self.notes)

    def response(self, status):
        """(schema or None, which response key was used or None) for an HTTP status."""
        responses = self.op.get("responses", {})
        key = None
        if str(status) in responses:
            key = str(status)
        elif ("%dXX" % (status // 100)) in responses:
            key = "%dXX" % (status // 100)
        elif "default" in responses:
            key = "default"
        elif 200 <= status < 300 and "200" in responses:
            key = "200"
        if key is None:
            return None, None
        resp = deref(self.spec, responses[key])
        content = resp.get("content") or {}
        media = next((m for m in content if m.startswith("application/json")), None)
        if media is None or "schema" not in content[media]:
            return None, key
        return to_json_schema(self.spec, content[media]["schema"], self.notes), key

    def success_key(self):
        return next((k for k in self.op.get("responses", {}) if k.startswith("2")), None)


def operations(spec):
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                ops.append(Operation(spec, path, method, op, item))
    return ops
