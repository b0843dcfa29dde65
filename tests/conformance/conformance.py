#!/usr/bin/env python3
"""Conformance of pancake-sim (answers) and the pancake client (requests) to Pancake's OpenAPI
document (tests/conformance/openapi-pancake-2026-03.json, verbatim).

    conformance.py PANCAKE_SIM CLIENT_PROGRAM FIXTURE_JSON README_MD

1. Starts PANCAKE_SIM on a free loopback port with FIXTURE_JSON and sends raw HTTP requests for
   every operation of the document: success paths with ids from the fixture, and error paths (bad
   token, missing required parameter, out-of-range or non-integer value, unknown enum, unknown id,
   missing body field). Requests meant to succeed are first checked against the document;
   answers are validated against the operation's response schema (or, for an error status the
   document has no schema for, against the simulator's envelope {success:false, message, ...}).
2. Resets the simulator, runs CLIENT_PROGRAM BASE_URL FIXTURE_JSON, reads the request journal
   (/__sim/journal) and checks every request the client sent against the document.
3. Checks README_MD's endpoint table (under a heading containing "Endpoints") lists every
   operation with its async_* function, and that tests/data/spec_examples.json is what
   make_examples.py makes of the document.

Fails (exit 1) on any mismatch not in DEVIATIONS below, and when an operation has no validated
2xx answer from the simulator or no 2xx request from the client (coverage).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from jsonschema.exceptions import best_match

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_schema as oas  # noqa: E402

# --------------------------------------------------------------------------------------------
# DEVIATIONS: where the simulator follows the real service (pancake-api.md) instead of the
# document. Each entry: (operation key or "*", where, reason). `where` is one of
#   "<JSON pointer> <keyword>"  a response-schema error at that instance path ("*" matches one
#                               segment, "**" any number) raised by that validator keyword
#                               (type, required, enum, ...; format=NAME, and for a date-time
#                               without a zone format=date-time(naive));
#   "status:error-on-200:CODE"  an error answered with HTTP 200 and {success:false, ...} whose
#                               error_code is CODE ("none" without one);
#   "accepts:<case>"            a request the document makes invalid (error case <case>) is
#                               answered as a success;
#   "request:<pointer> <kw>"    a JSON request body error (ours or the client's) that is
#                               what the real service wants;
# Any other mismatch fails the test. A listed deviation that no check hit any more is reported
# as STALE (a warning, not a failure: operations are still being added to the simulator, so an
# entry may not be exercised yet; delete the entry once the behaviour is gone for good).
DEVIATIONS = [
    ("*", "** format=date-time(naive)",
     "timestamps are naive UTC strings without a zone, e.g. 2021-07-28T10:00:00 (the document "
     "says format date-time, which needs a zone); pancake-api.md 4.2, webhook examples"),
    ("*", "status:error-on-200:102",
     "a missing, bad or foreign token is answered HTTP 200 {success:false, message:'Invalid "
     "access_token', error_code:102}, as observed on the real service (pancake-api.md 5, OBS S5)"),
    ("POST /pages/{page_id}/conversations/{conversation_id}/assign", "/assignee_group_id type",
     "assignee_group_id is null when the conversation has no assignee group: nullable in the newer "
     "revision's Conversation schema (pancake-api.md 4.2), typed plain string in this one"),
    ("GET /pages/{page_id}/conversations", "/conversations/*/tags/* type",
     "conversation tags are objects {id:int, text, color, ...} or null (removed tags), not the "
     "document's strings (this revision carries the old generic Conversation schema; "
     "pancake-api.md 4.2, OBS S5)"),
    ("POST /pages/{page_id}/conversations/{conversation_id}/tags", "accepts:tag_id as a JSON integer",
     "the document types tag_id string; the real service takes an integer too, which is what tag "
     "ids are everywhere else (pancake-api.md 2.1, 'accept tag_id as a string or int')"),
    ("POST /pke_chat_plugin/messages", "request:/conversation_id type",
     "a new chat plugin conversation is asked for with conversation_id null: the document's own "
     "description says so, its schema types the field plain string"),
    # Extra fields need no entry: the document allows them (additionalProperties is not false),
    # so the notes POST answer {success, message, note_id, data:[notes]} (pancake-api.md 4.6)
    # passes against the document's {success}.
]

# --------------------------------------------------------------------------------------------

failures = []        # (op key, case, status, where, message)
deviation_hits = {}  # index in DEVIATIONS -> count
checked = {}         # op key -> list of one-line descriptions of what passed
raw_ok = set()       # op keys with a validated 2xx answer
client_ok = set()    # op keys with a valid client request answered 2xx


def fail(op_key, case, status, where, message):
    failures.append((op_key, case, status, where, message))


def note(op_key, text):
    checked.setdefault(op_key, []).append(text)


def pointer_matches(pattern, pointer):
    pat = [p for p in pattern.split("/") if p != ""]
    segs = [s for s in pointer.split("/") if s != ""]

    def match(i, j):
        if i == len(pat):
            return j == len(segs)
        if pat[i] == "**":
            return any(match(i + 1, k) for k in range(j, len(segs) + 1))
        return j < len(segs) and (pat[i] == "*" or pat[i] == segs[j]) and match(i + 1, j + 1)

    return match(0, 0)


def deviation_for(op_key, where):
    """Index of the DEVIATIONS entry covering (op, where), or None."""
    for i, (dev_op, dev_where, _) in enumerate(DEVIATIONS):
        if dev_op not in ("*", op_key):
            continue
        if dev_where == where:
            return i
        if " " in dev_where and " " in where:
            dp, dk = dev_where.split(" ", 1)
            wp, wk = where.split(" ", 1)
            if dk == wk and pointer_matches(dp, wp):
                return i
    return None


NAIVE_DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")


def json_pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else ""


def schema_errors(schema, instance):
    """(pointer, keyword, message) of every error, innermost first within oneOf/anyOf."""
    out = []
    for e in oas.validator(schema).iter_errors(instance):
        # oneOf/anyOf: name the alternative's error that explains most, not just "not valid under any".
        leaf = best_match(e.context) if e.context else e
        keyword = leaf.validator
        if keyword == "format":
            keyword = "format=%s" % leaf.validator_value
            if leaf.validator_value == "date-time" and isinstance(leaf.instance, str) and \
                    NAIVE_DATE_TIME_RE.match(leaf.instance):
                keyword += "(naive)"
        out.append((json_pointer(leaf.absolute_path), keyword, leaf.message[:300]))
    return out


def check_against(op_key, case, status, schema, body, what):
    """Validates `body`; listed deviations are counted, others fail. True when nothing failed."""
    ok = True
    for pointer, keyword, message in schema_errors(schema, body):
        where = "%s %s" % (pointer or "/", keyword)
        dev = deviation_for(op_key, where)
        if dev is not None:
            deviation_hits[dev] = deviation_hits.get(dev, 0) + 1
            continue
        ok = False
        fail(op_key, case, status, what + " " + (pointer or "/"), "%s: %s" % (keyword, message))
    return ok


# --------------------------------------------------------------------------------------------
# Requests against the document.

def parse_multipart(content_type, body):
    """[(headers dict lower-cased, content)] of a multipart/form-data body (text or bytes)."""
    m = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not m:
        return None
    if isinstance(body, bytes):
        body = body.decode("latin-1")
    parts = []
    for chunk in body.split("--" + m.group(1))[1:]:
        if chunk.startswith("--"):
            break
        chunk = chunk[2:] if chunk.startswith("\r\n") else chunk.lstrip("\n")
        head, _, content = chunk.partition("\r\n\r\n")
        headers = {}
        for line in head.split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts.append((headers, content))
    return parts


def coerce_query_value(schema, raw):
    """The query string value as the JSON value its schema describes (or raw when it cannot be)."""
    t = schema.get("type")
    t = t[0] if isinstance(t, list) else t
    try:
        if t == "integer" and re.fullmatch(r"-?\d+", raw):
            return int(raw)
        if t == "number" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", raw):
            return float(raw)
    except ValueError:
        pass
    if t == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def request_errors(op, path, query, content_type, body):
    """Every way a request (path without query, query as a list of pairs, body bytes/text) breaks
    the operation's documented parameters and request body."""
    errs = []
    base = next((b for b in op.bases if path.startswith(b + "/")), None)
    m = op.path_re.match(path[len(base):]) if base is not None else None
    if m is None:
        return ["path %s does not match %s under %s" % (path, op.path, " or ".join(op.bases))]
    given = {}
    for name, value in query:
        given.setdefault(name, []).append(value)
    documented = set()
    values = dict(zip(op.template_vars, (urllib.parse.unquote(v) for v in m.groups())))
    for p in op.params:
        name, schema = p["name"], op.param_schema(p)
        if p["in"] == "path":
            if name in values:
                for pointer, keyword, message in schema_errors(schema, values[name]):
                    errs.append("path parameter %s: %s" % (name, message))
            continue
        if p["in"] != "query":
            continue
        documented.add(name)
        if name not in given:
            if p.get("required"):
                errs.append("query parameter %s is required and missing" % name)
            continue
        raws = given[name]
        if schema.get("type") == "array":
            value = [coerce_query_value(schema.get("items", {}), r) for r in raws]
        else:
            if len(raws) > 1:
                errs.append("query parameter %s given %d times (not an array)" % (name, len(raws)))
            value = coerce_query_value(schema, raws[0])
        for pointer, keyword, message in schema_errors(schema, value):
            errs.append("query parameter %s=%s: %s" % (name, ",".join(raws), message))
    for name in given:
        if name not in documented:
            errs.append("query parameter %s is not in the document" % name)

    media = (content_type or "").split(";")[0].strip().lower()
    content = (op.body or {}).get("content", {})
    has_body = body not in (None, b"", "")
    if not op.body:
        if has_body:
            errs.append("a body (%s) was sent; the operation documents none" % (media or "no Content-Type"))
        return errs
    if not has_body:
        if op.body.get("required"):
            errs.append("the request body is required and missing")
        return errs
    if media not in content:
        errs.append("Content-Type %r is not one of %s" % (content_type, ", ".join(content)))
        return errs
    schema = op.body_schema(media)
    if media == "application/json":
        try:
            doc = json.loads(body)
        except ValueError as e:
            return errs + ["the JSON body does not parse: %s" % e]
        for pointer, keyword, message in schema_errors(schema or {}, doc):
            dev = deviation_for(op.key, "request:%s %s" % (pointer or "/", keyword))
            if dev is not None:
                deviation_hits[dev] = deviation_hits.get(dev, 0) + 1
                continue
            errs.append("body %s: %s" % (pointer or "/", message))
    elif media == "multipart/form-data":
        parts = parse_multipart(content_type, body)
        if parts is None:
            return errs + ["multipart Content-Type without a boundary"]
        names = {}
        for headers, part in parts:
            cd = headers.get("content-disposition", "")
            nm = re.search(r'\bname="([^"]*)"', cd)
            if nm:
                names[nm.group(1)] = (cd, headers, part)
        for prop, prop_schema in (schema or {}).get("properties", {}).items():
            if prop not in names:
                errs.append("multipart part %r is missing" % prop)
                continue
            cd, headers, part = names[prop]
            if prop_schema.get("format") == "binary":
                if not re.search(r'\bfilename="[^"]+"', cd):
                    errs.append("multipart part %r has no filename" % prop)
                if not headers.get("content-type"):
                    errs.append("multipart part %r has no Content-Type" % prop)
                if not part:
                    errs.append("multipart part %r is empty" % prop)
    return errs


def find_operation(ops, method, path):
    for op in ops:
        if op.method != method:
            continue
        for base in op.bases:
            if path.startswith(base + "/") and op.path_re.match(path[len(base):]):
                return op
    return None


# --------------------------------------------------------------------------------------------
# The simulator process.

class Simulator:
    def __init__(self, exe, fixture):
        self.proc = subprocess.Popen([exe, "--port", "0", "--rate-limit", "0", "--fixture", fixture],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=sys.stderr,
                                     text=True)
        found = []
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                m = re.match(r"^listening on (http://\S+)$", line.strip())
                if m and not found:
                    found.append(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(30) or not found:
            self.stop()
            raise RuntimeError("pancake-sim did not print 'listening on http://HOST:PORT' within 30 s")
        self.origin = found[0]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http(origin, method, target, body=None, content_type=None):
    """(status, content type, body bytes) of one raw request; never raises on an HTTP status."""
    headers = {"Content-Type": content_type} if content_type else {}
    req = urllib.request.Request(origin + target, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def admin_json(origin, method, path, body=None):
    status, _, data = http(origin, method, "/__sim/" + path, body, "application/json" if body else None)
    if status != 200:
        raise RuntimeError("admin %s %s answered %d: %s" % (method, path, status, data[:300]))
    return json.loads(data) if data else None


# --------------------------------------------------------------------------------------------
# Test data from the fixture.

class Fixture:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        pages = doc["pages"]
        self.page = pages[0]
        self.other = pages[1] if len(pages) > 1 else pages[0]
        now = int(time.time())
        live = [t for t in doc.get("user_tokens", []) if t.get("expires_at", now + 1) > now]
        dead = [t for t in doc.get("user_tokens", []) if t.get("expires_at", now + 1) <= now]
        self.user_token = live[0]["access_token"]
        self.expired_user_token = dead[0]["access_token"] if dead else None
        convs = self.page.get("conversations", [])
        inbox = [c for c in convs if c.get("type") == "INBOX"]
        inbox.sort(key=lambda c: -len(c.get("messages", [])))
        self.conv = inbox[0]
        comments = [c for c in convs if c.get("type") == "COMMENT" and c.get("messages")]
        self.comment_conv = comments[0] if comments else None
        tags = self.page.get("tags", [])
        self.tag = tags[1]["id"] if len(tags) > 1 else tags[0]["id"]
        self.users = [u["id"] for u in self.page.get("users", [])]
        # The page-customer id: a customers list of the page if the fixture has one, else the id
        # conversations carry in customers[].
        customers = self.page.get("page_customers") or self.page.get("customers") or []
        ids = [c["id"] for c in customers if isinstance(c, dict) and "id" in c]
        ids += [c["id"] for conv in convs for c in (conv.get("customers") or []) if "id" in c]
        self.customer = ids[0] if ids else str(uuid.UUID(int=1))
        # A chat plugin page ("web_…") where the fixture has one, else the first page.
        web = [p for p in pages if str(p["id"]).startswith("web_") or p.get("platform") in ("web", "chat_plugin")]
        self.web_page = web[0]["id"] if web else self.page["id"]
        sip = self.page.get("sip_packages") or self.page.get("sip_call_logs") or []
        self.sip_id = next((str(s.get("package_id") or s.get("sip_id") or s.get("id")) for s in sip if isinstance(s, dict)),
                           "sip_1")
        self.now = now
        self.since = now - 30 * 86400
        day = timedelta(days=1)
        end = datetime.fromtimestamp(now, timezone.utc)
        self.date_range = "%s 00:00:00 - %s 23:59:59" % ((end - 29 * day).strftime("%d/%m/%Y"),
                                                         end.strftime("%d/%m/%Y"))


# A 1x1 PNG: the upload's file part.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f7e3ea"
                    "0000000049454e44ae426082")


def multipart(fields, boundary="----pancake-conformance-7d3f"):
    """A multipart/form-data body: fields is [(name, filename or None, content type, bytes)]."""
    out = b""
    for name, filename, ctype, data in fields:
        disp = 'form-data; name="%s"' % name + ('; filename="%s"' % filename if filename else "")
        out += b"--" + boundary.encode() + b"\r\nContent-Disposition: " + disp.encode() + b"\r\n"
        if ctype:
            out += b"Content-Type: " + ctype.encode() + b"\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return out, "multipart/form-data; boundary=" + boundary


class Call:
    """One request of an operation: path values, query pairs, body."""

    def __init__(self, op, path=None, query=None, json_body=None, raw_body=None, content_type=None, base=None):
        self.op = op
        self.path = dict(path or {})
        self.query = [(k, str(v)) for k, v in query or []]
        self.json_body = json_body
        self.raw_body = raw_body
        self.content_type = content_type
        self.base = base if base is not None else op.bases[0]

    def copy(self):
        c = Call(self.op, self.path, self.query, json.loads(json.dumps(self.json_body))
                 if self.json_body is not None else None, self.raw_body, self.content_type, self.base)
        return c

    def target_path(self):
        return self.base + re.sub(r"{([^}]+)}", lambda m: urllib.parse.quote(str(self.path[m.group(1)]), safe=""),
                                  self.op.path)

    def target(self):
        q = urllib.parse.urlencode([(k, v) for k, v in self.query])
        return self.target_path() + ("?" + q if q else "")

    def body(self):
        if self.json_body is not None:
            return json.dumps(self.json_body, ensure_ascii=False).encode(), "application/json"
        return self.raw_body, self.content_type

    def set_query(self, name, value):
        self.query = [(k, v) for k, v in self.query if k != name]
        if value is not None:
            self.query.append((name, str(value)))

    def get_query(self, name):
        return next((v for k, v in self.query if k == name), None)


def success_calls(ops, fx, state):
    """The valid calls of each operation, in an order that works: notes are added before they are
    edited, the chat plugin conversation is made before it is read, tokens rotate last. Values
    found in answers (note ids, chat conversation ids) are read from `state` when the call is made,
    so each entry is (op key, label, function returning a Call)."""
    P, T = fx.page["id"], fx.page["page_access_token"]
    conv = fx.conv["id"]
    tok = [("page_access_token", T)]
    span = [("since", fx.since), ("until", fx.now)]
    by = {op.key: op for op in ops}

    def c(key, path=None, query=None, **kw):
        return lambda: Call(by[key], dict({"page_id": P}, **(path or {})), query, **kw)

    conv_path = {"conversation_id": conv}
    u = fx.users
    png, png_type = multipart([("file", "pixel.png", "image/png", PNG)])
    calls = [
        ("GET /pages", "list pages", c("GET /pages", query=[("access_token", fx.user_token)])),
        ("GET /pages/{page_id}/tags", "list tags", c("GET /pages/{page_id}/tags", query=tok)),
        ("GET /pages/{page_id}/users", "list users", c("GET /pages/{page_id}/users", query=tok)),
        ("POST /pages/{page_id}/round_robin_users", "set both lists",
         c("POST /pages/{page_id}/round_robin_users", query=tok,
           json_body={"inbox": u[:2], "comment": u[:1]})),
        ("GET /pages/{page_id}/conversations", "no filter", c("GET /pages/{page_id}/conversations", query=tok)),
        ("GET /pages/{page_id}/conversations", "type=INBOX, since/until, order_by, unread_first",
         c("GET /pages/{page_id}/conversations",
           query=tok + [("type", "INBOX"), ("since", 0), ("until", fx.now + 86400),
                        ("order_by", "updated_at"), ("unread_first", "true")])),
        ("GET /pages/{page_id}/conversations/{conversation_id}/messages", "current_count=0",
         c("GET /pages/{page_id}/conversations/{conversation_id}/messages", conv_path,
           tok + [("current_count", 0)])),
        ("POST /pages/{page_id}/conversations/{conversation_id}/tags", "add",
         c("POST /pages/{page_id}/conversations/{conversation_id}/tags", conv_path, tok,
           json_body={"action": "add", "tag_id": str(fx.tag)})),
        ("POST /pages/{page_id}/conversations/{conversation_id}/tags", "remove",
         c("POST /pages/{page_id}/conversations/{conversation_id}/tags", conv_path, tok,
           json_body={"action": "remove", "tag_id": str(fx.tag)})),
        ("POST /pages/{page_id}/conversations/{conversation_id}/assign", "one user",
         c("POST /pages/{page_id}/conversations/{conversation_id}/assign", conv_path, tok,
           json_body={"assignee_ids": u[:1]})),
        ("POST /pages/{page_id}/conversations/{conversation_id}/read", "",
         c("POST /pages/{page_id}/conversations/{conversation_id}/read", conv_path, tok)),
        ("POST /pages/{page_id}/conversations/{conversation_id}/unread", "",
         c("POST /pages/{page_id}/conversations/{conversation_id}/unread", conv_path, tok)),
        ("POST /pages/{page_id}/conversations/{conversation_id}/messages", "reply_inbox",
         c("POST /pages/{page_id}/conversations/{conversation_id}/messages", conv_path, tok,
           json_body={"action": "reply_inbox", "message": "Dạ shop chào bạn ạ"})),
    ]
    if fx.comment_conv:
        comment = fx.comment_conv["messages"][0]
        calls.append(("POST /pages/{page_id}/conversations/{conversation_id}/messages", "reply_comment",
                      c("POST /pages/{page_id}/conversations/{conversation_id}/messages",
                        {"conversation_id": fx.comment_conv["id"]}, tok,
                        json_body={"action": "reply_comment", "message_id": comment["id"],
                                   "message": "Shop đã inbox bạn ạ"})))
    calls += [
        ("POST /pages/{page_id}/upload_contents", "a PNG",
         c("POST /pages/{page_id}/upload_contents", query=tok, raw_body=png, content_type=png_type)),
        ("GET /pages/{page_id}/statistics/pages_campaigns", "",
         c("GET /pages/{page_id}/statistics/pages_campaigns", query=tok + span)),
        ("GET /pages/{page_id}/statistics/ads", "by_id",
         c("GET /pages/{page_id}/statistics/ads", query=tok + span + [("type", "by_id")])),
        ("GET /pages/{page_id}/statistics/customer_engagements", "",
         c("GET /pages/{page_id}/statistics/customer_engagements",
           query=tok + [("date_range", fx.date_range), ("by_hour", "false")])),
        ("GET /pages/{page_id}/statistics/pages", "", c("GET /pages/{page_id}/statistics/pages", query=tok + span)),
        ("GET /pages/{page_id}/statistics/tags", "", c("GET /pages/{page_id}/statistics/tags", query=tok + span)),
        ("GET /pages/{page_id}/statistics/users", "",
         c("GET /pages/{page_id}/statistics/users", query=tok + [("date_range", fx.date_range)])),
        ("GET /pages/{page_id}/page_customers", "page 1",
         c("GET /pages/{page_id}/page_customers",
           query=tok + [("since", 0), ("until", fx.now), ("page_number", 1), ("page_size", 100),
                        ("order_by", "inserted_at")])),
        ("PUT /pages/{page_id}/page_customers/{page_customer_id}", "all fields",
         c("PUT /pages/{page_id}/page_customers/{page_customer_id}", {"page_customer_id": fx.customer}, tok,
           json_body={"changes": {"name": "Ngô Thị Hương", "gender": "female", "birthday": "1995-04-12",
                                  "phone_numbers": ["0901234567"]}})),
        ("POST /pages/{page_id}/page_customers/{page_customer_id}/notes", "",
         c("POST /pages/{page_id}/page_customers/{page_customer_id}/notes", {"page_customer_id": fx.customer},
           tok, json_body={"message": "Khách thích gọi buổi chiều"})),
        ("PUT /pages/{page_id}/page_customers/{page_customer_id}/notes", "the note just added",
         lambda: Call(by["PUT /pages/{page_id}/page_customers/{page_customer_id}/notes"],
                      {"page_id": P, "page_customer_id": fx.customer}, tok,
                      json_body={"note_id": state.get("note_id", "note_1"), "message": "Khách thích email"},
                      base="/api/public_api/v1")),
        ("DELETE /pages/{page_id}/page_customers/{page_customer_id}/notes", "the note just added",
         lambda: Call(by["DELETE /pages/{page_id}/page_customers/{page_customer_id}/notes"],
                      {"page_id": P, "page_customer_id": fx.customer}, tok,
                      json_body={"note_id": state.get("note_id", "note_1")}, base="/api/public_api/v1")),
        ("GET /pages/{page_id}/export_data", "conversations_from_ads",
         c("GET /pages/{page_id}/export_data",
           query=tok + span + [("action", "conversations_from_ads"), ("offset", 0)])),
        ("GET /pages/{page_id}/sip_call_logs", "",
         c("GET /pages/{page_id}/sip_call_logs",
           query=tok + [("id", fx.sip_id), ("page_number", 1), ("page_size", 30)] + span)),
        ("GET /pages/{page_id}/posts", "",
         c("GET /pages/{page_id}/posts", query=tok + span + [("page_number", 1), ("page_size", 30)])),
        ("POST /pke_chat_plugin/messages", "new conversation",
         lambda: Call(by["POST /pke_chat_plugin/messages"], {}, [("page_id", fx.web_page)],
                      json_body={"from_id": "web_conformance", "name": "Web_conformance",
                                 "dummy_id": fx.now * 1000, "inserted_at": fx.now * 1000,
                                 "message": "Xin chào shop"})),
        ("GET /pke_chat_plugin/messages", "the conversation just made",
         lambda: Call(by["GET /pke_chat_plugin/messages"], {},
                      [("conversation_id", state.get("chat_conversation_id", fx.web_page + "_web_conformance")),
                       ("page_id", fx.web_page), ("offset", 0)])),
        # Rotates the other page's token: last, and never the page the client program uses.
        ("POST /pages/{page_id}/generate_page_access_token", "other page",
         lambda: Call(by["POST /pages/{page_id}/generate_page_access_token"], {"page_id": fx.other["id"]},
                      [("page_id", fx.other["id"]), ("access_token", fx.user_token)])),
    ]
    return calls


def remember(op_key, body, state):
    """Ids later calls need, from an answer."""
    if not isinstance(body, dict):
        return
    if op_key == "POST /pages/{page_id}/page_customers/{page_customer_id}/notes":
        nid = body.get("note_id") or next((n.get("id") for n in body.get("data") or []
                                           if isinstance(n, dict)), None)
        if nid:
            state["note_id"] = str(nid)
    if op_key == "POST /pke_chat_plugin/messages" and body.get("conversation_id"):
        state["chat_conversation_id"] = str(body["conversation_id"])


NO_SUCH_USER = "00000000-0000-4000-8000-00000000dead"


def _set_body(**fields):
    def mutate(call):
        call.json_body = fields
    return mutate


def _set_query(name, value):
    def mutate(call):
        call.set_query(name, value)
    return mutate


# Error requests that need knowledge of the operation (the rest come from the document).
EXTRA_ERRORS = {
    "POST /pages/{page_id}/conversations/{conversation_id}/tags": [
        ("tag_id of no tag", _set_body(action="add", tag_id="999999")),
        ("tag_id not a number", _set_body(action="add", tag_id="abc")),
        ("tag_id as a JSON integer", None),
        ("action not in the enum", _set_body(action="toggle", tag_id="1")),
    ],
    "POST /pages/{page_id}/conversations/{conversation_id}/assign": [
        ("assignee_ids with an unknown user", _set_body(assignee_ids=[NO_SUCH_USER])),
    ],
    "POST /pages/{page_id}/round_robin_users": [
        ("inbox with an unknown user", _set_body(inbox=[NO_SUCH_USER])),
    ],
    "POST /pages/{page_id}/conversations/{conversation_id}/messages": [
        ("action private_reply (the documented one is private_replies)", _set_body(action="private_reply",
                                                                                     message="x")),
        ("reply_inbox without message", _set_body(action="reply_inbox")),
    ],
    "GET /pages/{page_id}/conversations": [
        ("unknown last_conversation_id", _set_query("last_conversation_id", "100000000000001_999999999999999")),
    ],
    # The document gives these bounds in prose only ("minimum 1", "maximum 30").
    "GET /pages/{page_id}/posts": [
        ("page_number=0 (the description's minimum is 1)", _set_query("page_number", 0)),
        ("page_size=31 (the description's maximum is 30)", _set_query("page_size", 31)),
    ],
    "PUT /pages/{page_id}/page_customers/{page_customer_id}": [
        ("gender not in the enum", _set_body(changes={"gender": "other"})),
        ("birthday not YYYY-MM-DD", _set_body(changes={"birthday": "12/04/1995"})),
    ],
    "PUT /pages/{page_id}/page_customers/{page_customer_id}/notes": [
        ("unknown note_id", _set_body(note_id="no_such_note", message="x")),
    ],
    "DELETE /pages/{page_id}/page_customers/{page_customer_id}/notes": [
        ("unknown note_id", _set_body(note_id="no_such_note")),
    ],
    "GET /pke_chat_plugin/messages": [
        ("unknown conversation_id", _set_query("conversation_id", "web_no_such_conversation")),
    ],
}


def error_variants(call, fx):
    """Spec-derived error requests for one valid call: (label, Call, expected status or None).
    None expects any 4xx, or the bad-token answer on 200 (a listed deviation)."""
    op = call.op
    out = []
    q = {p["name"]: p for p in op.query_params()}
    for token in ("page_access_token", "access_token"):
        if token in q and call.get_query(token) is not None:
            if q[token].get("required"):
                gone = call.copy()
                gone.set_query(token, None)
                out.append(("missing %s" % token, gone, None))
            bad = call.copy()
            bad.set_query(token, "not_a_real_token_0000")
            out.append(("bad %s" % token, bad, None))
            if token == "access_token" and fx.expired_user_token:
                exp = call.copy()
                exp.set_query(token, fx.expired_user_token)
                out.append(("expired user token", exp, 401))
            if token == "page_access_token" and "page_id" in call.path and fx.other["id"] != fx.page["id"]:
                foreign = call.copy()
                foreign.path["page_id"] = fx.other["id"]
                if "conversation_id" not in foreign.path and "page_customer_id" not in foreign.path:
                    out.append(("another page's id with this page's token", foreign, None))
    for name, p in q.items():
        if name in ("page_access_token", "access_token") or name in op.template_vars:
            continue  # tokens above; page_id of generate_page_access_token is also in the path
        schema = op.param_schema(p)
        if p.get("required") and call.get_query(name) is not None:
            miss = call.copy()
            miss.set_query(name, None)
            out.append(("missing %s" % name, miss, None))
        if call.get_query(name) is None:
            continue
        if "minimum" in schema:
            low = call.copy()
            low.set_query(name, schema["minimum"] - 1)
            out.append(("%s=%s (below minimum %s)" % (name, schema["minimum"] - 1, schema["minimum"]), low, None))
        if "maximum" in schema:
            high = call.copy()
            high.set_query(name, schema["maximum"] + 1)
            out.append(("%s=%s (above maximum %s)" % (name, schema["maximum"] + 1, schema["maximum"]), high, None))
        if schema.get("type") in ("integer", "number"):
            nan = call.copy()
            nan.set_query(name, "abc")
            out.append(("%s=abc (not %s)" % (name, "an integer" if schema["type"] == "integer" else "a number"),
                        nan, None))
        if "enum" in schema:
            odd = call.copy()
            odd.set_query(name, "no_such_value")
            out.append(("%s=no_such_value (not in the enum)" % name, odd, None))
    if "conversation_id" in call.path:
        unknown = call.copy()
        unknown.path["conversation_id"] = fx.page["id"] + "_999999999999999"
        out.append(("unknown conversation_id", unknown, None))
    if "page_customer_id" in call.path:
        unknown = call.copy()
        unknown.path["page_customer_id"] = str(uuid.UUID(int=0xDEAD))
        out.append(("unknown page_customer_id", unknown, None))
    if op.body_schema("multipart/form-data") and call.raw_body is not None:
        body, ctype = multipart([("other", "pixel.png", "image/png", PNG)])
        nofile = call.copy()
        nofile.raw_body, nofile.content_type = body, ctype
        out.append(("multipart without a file part", nofile, None))
    for label, mutate in EXTRA_ERRORS.get(op.key, []):
        extra = call.copy()
        if mutate is None:  # tag_id as a JSON integer: the valid request's own tag
            extra.json_body["tag_id"] = int(extra.json_body["tag_id"])
        else:
            mutate(extra)
        out.append((label, extra, None))
    schema = op.body_schema("application/json")
    if call.json_body is not None and schema:
        for field in schema.get("required", []):
            if field in call.json_body:
                miss = call.copy()
                del miss.json_body[field]
                out.append(("body without %s" % field, miss, None))
                break
    return out


def classify_answer(status, ctype, data):
    """(parsed JSON or None, problem text or None)."""
    if "json" not in (ctype or "").lower():
        snippet = data[:80].decode("utf-8", "replace").replace("\n", " ")
        if "html" in (ctype or "").lower():
            return None, "the simulator has no such route yet (it answered its HTML shell, %s)" % ctype
        return None, "answered Content-Type %r, not JSON: %s" % (ctype, snippet)
    try:
        return json.loads(data), None
    except ValueError as e:
        return None, "the JSON answer does not parse: %s" % e


def is_error_body(body):
    return isinstance(body, dict) and body.get("success") is False


def check_envelope(op_key, case, status, body):
    ok = True
    if not isinstance(body, dict):
        fail(op_key, case, status, "/", "the error answer is not an object {success:false, message}")
        return False
    if body.get("success") is not False:
        fail(op_key, case, status, "/success", "the error answer lacks success:false")
        ok = False
    if not isinstance(body.get("message"), str) or not body.get("message"):
        fail(op_key, case, status, "/message", "the error answer lacks a message string")
        ok = False
    if "error_code" in body and not isinstance(body["error_code"], int):
        fail(op_key, case, status, "/error_code", "error_code is not an integer")
        ok = False
    return ok


def run_raw(origin, ops, fx):
    state, done = {}, set()
    for op_key, label, make in success_calls(ops, fx, state):
        call = make()
        op = call.op
        case = label or "valid request"
        body, ctype = call.body()
        errs = request_errors(op, call.target_path(), call.query, ctype, body)
        for e in errs:  # our own test data must be valid
            fail(op_key, case, "-", "test request", e)
        status, rtype, data = http(origin, op.method, call.target(), body, ctype)
        parsed, problem = classify_answer(status, rtype, data)
        if problem:
            fail(op_key, case, status, "answer", problem)
            continue
        if not 200 <= status < 300 or is_error_body(parsed):
            fail(op_key, case, status, "answer", "expected a success, got %s" % json.dumps(parsed)[:300])
            continue
        schema, key = op.response(status)
        if schema is None:
            # The document gives no body for this 2xx (generate_page_access_token): JSON is enough.
            note(op_key, "%s: %d JSON (the document has no body schema)" % (case, status))
            raw_ok.add(op_key)
        elif check_against(op_key, case, status, schema, parsed, "response"):
            note(op_key, "%s: %d valid against responses[%s]" % (case, status, key))
            raw_ok.add(op_key)
        remember(op_key, parsed, state)
        # Error cases derived from each valid call that succeeded, each kind once per operation.
        for elabel, bad, expect in error_variants(call, fx):
            if (op_key, elabel) not in done:
                done.add((op_key, elabel))
                run_error(origin, op, elabel, bad, expect)


def run_error(origin, op, label, call, expect):
    body, ctype = call.body()
    status, rtype, data = http(origin, op.method, call.target(), body, ctype)
    parsed, problem = classify_answer(status, rtype, data)
    if problem:
        fail(op.key, label, status, "answer", problem)
        return
    if 200 <= status < 300 and not is_error_body(parsed):
        dev = deviation_for(op.key, "accepts:" + label)
        if dev is None:
            fail(op.key, label, status, "answer",
                 "a request the document makes invalid was accepted: %s" % json.dumps(parsed)[:200])
        else:
            deviation_hits[dev] = deviation_hits.get(dev, 0) + 1
            note(op.key, "%s: %d accepted (listed deviation)" % (label, status))
        return
    if expect is not None and status != expect:
        fail(op.key, label, status, "status", "expected HTTP %d" % expect)
        return
    if status >= 500:
        fail(op.key, label, status, "status", "a server error for a client mistake")
        return
    schema, key = op.response(status)
    if 200 <= status < 300:
        code = parsed.get("error_code") if isinstance(parsed, dict) else None
        dev = deviation_for(op.key, "status:error-on-200:%s" % ("none" if code is None else code))
        if dev is None:
            fail(op.key, label, status, "status", "an error answered with HTTP %d" % status)
            return
        deviation_hits[dev] = deviation_hits.get(dev, 0) + 1
        # An error envelope cannot be the bare array some 200 answers are (statistics/ads,
        # pages_campaigns): for those the envelope itself is what is checked below.
        if schema is not None and schema.get("type") == "array":
            schema = None
        if schema is not None and not check_against(op.key, label, status, schema, parsed, "response"):
            return
    elif schema is not None:
        if not check_against(op.key, label, status, schema, parsed, "response"):
            return
    if check_envelope(op.key, label, status, parsed):
        if 200 <= status < 300:
            what = "error envelope on HTTP 200 (listed deviation%s)" % (
                "; also valid against responses[%s]" % key if schema is not None else "")
        else:
            what = "error envelope" if schema is None else "valid against responses[%s]" % key
        code = parsed.get("error_code")
        note(op.key, "%s: %d %s%s" % (label, status, what, ", error_code %s" % code if code is not None else ""))


# --------------------------------------------------------------------------------------------
# The client program, through the journal.

def read_journal(origin):
    entries, after = [], 0
    while True:
        page = admin_json(origin, "GET", "journal?after=%d&limit=1000" % after)
        entries += page["journal"]
        if page.get("dropped"):
            fail("(journal)", "client", "-", "journal", "%d entries were dropped" % page["dropped"])
        if not page.get("more"):
            return entries
        after = page["next_after"]


def run_client(origin, ops, client, fixture):
    admin_json(origin, "POST", "reset")  # fixture tokens back, journal empty
    print("\n== client program: %s %s %s" % (os.path.basename(client), origin, os.path.basename(fixture)))
    try:
        r = subprocess.run([client, origin, fixture], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=120)
        for line in (r.stdout + r.stderr).splitlines():
            print("   | " + line)
        if r.returncode != 0:
            fail("(client program)", "run", "-", "exit", "exited with %d (see its output above)" % r.returncode)
    except (OSError, subprocess.TimeoutExpired) as e:
        fail("(client program)", "run", "-", "start", str(e))
    for e in read_journal(origin):
        target = e["path"]
        path, _, qs = target.partition("?")
        query = urllib.parse.parse_qsl(qs, keep_blank_values=True)
        op = find_operation(ops, e["method"], urllib.parse.unquote(path) if "%2F" not in path else path)
        case = "client request #%d %s %s" % (e["seq"], e["method"], target)
        if op is None:
            fail("(no operation)", case, e["status"], "path", "no operation of the document matches")
            continue
        body = e.get("body") or ""
        ctype = e.get("content_type")
        if ctype is None:
            fail(op.key, case, e["status"], "journal", "the journal has no content_type field")
            continue
        errs = request_errors(op, path, query, ctype, body)
        for err in errs:
            fail(op.key, case, e["status"], "request", err)
        if e.get("route") in ("unknown", "invalid"):
            # The simulator answered its HTML shell: the status says nothing about the request.
            fail(op.key, case, e["status"], "simulator", "no simulator route for it (journal route %r)" % e["route"])
            continue
        if not errs and 200 <= e["status"] < 300:
            client_ok.add(op.key)
            note(op.key, "client: %s %s -> %d, request valid" % (e["method"], redact_for_print(target), e["status"]))
        elif not errs:
            note(op.key, "client: %s -> %d (not 2xx)" % (e["method"], e["status"]))


def redact_for_print(target):
    return target if len(target) < 110 else target[:107] + "..."


# --------------------------------------------------------------------------------------------
# README's endpoint table.

def normalise_path(text):
    text = re.sub(r"^[a-z]+://[^/]+", "", text.strip())
    text = text.split("?")[0]
    text = re.sub(r"^/?api/(public_api/)?v\d+(?=/)", "", text)
    text = re.sub(r"^/?(public_api/)?v\d+(?=/)", "", text)
    if not text.startswith("/") and not text.startswith("…") and not text.startswith("..."):
        text = "/" + text
    return re.sub(r"{[^}]*}", "{}", text)


def check_readme(readme, ops):
    with open(readme, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start, level = None, None
    for i, line in enumerate(lines):
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m and "endpoints" in m.group(2).lower():
            start, level = i, len(m.group(1))
            break
    if start is None:
        fail("(README)", "endpoint table", "-", readme, 'no heading containing "Endpoints"')
        return
    rows = []
    for line in lines[start + 1:]:
        m = re.match(r"^(#+)\s", line)
        if m and len(m.group(1)) <= level:
            break
        if line.lstrip().startswith("|"):
            rows.append(line)
    by_shape = {}
    for op in ops:
        by_shape.setdefault((op.method, normalise_path(op.path)), []).append(op.key)
    listed = {}
    for row in rows:
        functions = re.findall(r"\basync_\w+", row)
        methods = set(re.findall(r"\b(GET|POST|PUT|DELETE|PATCH)\b", row))
        for span in re.findall(r"`([^`]+)`", row):
            m = re.search(r"(?:^|\s)((?:https?://\S+)?[./…]*[\w{}/.…-]*/[\w{}/.…-]+)", span)
            if not m:
                continue
            path = normalise_path(m.group(1))
            span_methods = set(re.findall(r"\b(GET|POST|PUT|DELETE|PATCH)\b", span)) or methods
            for method in span_methods:
                if path.startswith("…") or path.startswith("..."):
                    tail = path.lstrip("….")
                    hits = [k for (mm, pp), ks in by_shape.items() if mm == method and pp.endswith(tail)
                            for k in ks]
                    keys = hits if len(hits) == 1 else []
                else:
                    keys = by_shape.get((method, path), [])
                for key in keys:
                    listed.setdefault(key, set()).update(functions)
    for op in ops:
        if not listed.get(op.key):
            fail(op.key, "README endpoint table", "-", readme,
                 "no row with `%s %s` and an async_* function" % (op.method, op.path)
                 if op.key not in listed else "its row names no async_* function")
        else:
            note(op.key, "README: %s" % ", ".join(sorted(listed[op.key])))


def check_examples_file(spec):
    """tests/data/spec_examples.json must be what make_examples.py makes of this document."""
    import make_examples
    try:
        with open(make_examples.DEFAULT_OUTPUT, encoding="utf-8") as f:
            current = json.load(f)
    except (OSError, ValueError) as e:
        fail("(spec_examples.json)", "up to date", "-", "tests/data/spec_examples.json", str(e))
        return
    if current != make_examples.build(spec):
        fail("(spec_examples.json)", "up to date", "-", "tests/data/spec_examples.json",
             "stale: rerun tests/conformance/make_examples.py and commit the result")


# --------------------------------------------------------------------------------------------

def main(argv):
    if len(argv) != 5:
        print(__doc__)
        return 2
    sim_exe, client, fixture, readme = argv[1:]
    spec = oas.load_spec()
    ops = oas.operations(spec)
    fx = Fixture(fixture)

    print("Pancake OpenAPI document: %s (%d operations)" % (os.path.basename(oas.SPEC_PATH), len(ops)))
    twin = os.path.join(oas.HERE, "..", "data", os.path.basename(oas.SPEC_PATH))
    if os.path.exists(twin) and oas.load_spec(twin) != spec:
        print("WARNING: tests/data/%s differs from this copy" % os.path.basename(twin))
    print("\nDEVIATIONS (the simulator follows the real service here):")
    for op_key, where, reason in DEVIATIONS:
        print("  - %s  %s\n      %s" % (op_key, where, reason))

    sim = Simulator(sim_exe, fixture)
    # SIGTERM from ctest's timeout: stop the simulator too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    try:
        print("\nsimulator at %s" % sim.origin)
        run_raw(sim.origin, ops, fx)
        run_client(sim.origin, ops, client, fixture)
    finally:
        sim.stop()
    check_readme(readme, ops)
    check_examples_file(spec)

    for op in ops:
        if op.key not in raw_ok:
            fail(op.key, "coverage", "-", "simulator", "no validated 2xx answer from the simulator")
        if op.key not in client_ok:
            fail(op.key, "coverage", "-", "client",
                 "no valid request from the client program answered 2xx by a simulator route")

    print("\n== per operation")
    by_op = {}
    for f in failures:
        by_op.setdefault(f[0], []).append(f)
    for op in ops:
        mark = "FAIL" if op.key in by_op else "ok  "
        notes = sorted(set(op.notes))
        print("%s %s%s" % (mark, op.key, ("  [document: %s]" % "; ".join(notes)) if notes else ""))
        for line in checked.get(op.key, []):
            print("       checked  " + line)
        for _, case, status, where, message in by_op.get(op.key, []):
            print("       FAILED   %s [%s] %s: %s" % (case, status, where, message))
    for key in by_op:
        if key not in {op.key for op in ops}:
            for _, case, status, where, message in by_op[key]:
                print("FAIL %s  %s [%s] %s: %s" % (key, case, status, where, message))

    print("\n== deviations")
    for i, (op_key, where, _) in enumerate(DEVIATIONS):
        n = deviation_hits.get(i, 0)
        print("  %s %s %s: %s" % ("seen " if n else "STALE", op_key, where,
                                  "%d time(s)" % n if n else "not seen in this run (warning only)"))

    missing_raw = [op.key for op in ops if op.key not in raw_ok]
    missing_client = [op.key for op in ops if op.key not in client_ok]
    print("\n== summary: %d operations; %d with a validated simulator answer, %d with a valid client request"
          % (len(ops), len(ops) - len(missing_raw), len(ops) - len(missing_client)))
    if missing_raw:
        print("simulator lacks (or answers wrongly) %d: %s" % (len(missing_raw), ", ".join(missing_raw)))
    if missing_client:
        print("no valid client request answered 2xx by a simulator route for %d: %s"
              % (len(missing_client), ", ".join(missing_client)))
    if failures:
        # Everything but coverage, one line each (coverage is the two lists above).
        rest = [f for f in failures if f[1] != "coverage"]
        if rest:
            print("\n== failures other than coverage (%d)" % len(rest))
            for op_key, case, status, where, message in rest:
                print("  %s | %s | HTTP %s | %s: %s" % (op_key, case, status, where, message))
        print("\nFAILED: %d check(s)" % len(failures))
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
