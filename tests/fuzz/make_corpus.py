#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from the repository's
example data: tests/data/spec_examples.json, tests/data/api_examples.json and
simulator/fixtures/shop.json. Deterministic; rerun after changing the data or an input format
(the formats are described at the top of each tests/fuzz/fuzz_*.cpp). Usage: make_corpus.py
"""
import hashlib
import json
import shutil
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"

# fuzz_decode: the first byte selects the endpoint, in fuzz_decode.cpp's `runners` order.
ENDPOINTS = [
    "GET /pages",
    "POST /pages/{page_id}/generate_page_access_token",
    "GET /pages/{page_id}/conversations",
    "POST /pages/{page_id}/conversations/{conversation_id}/tags",
    "POST /pages/{page_id}/conversations/{conversation_id}/assign",
    "POST /pages/{page_id}/conversations/{conversation_id}/read",
    "GET /pages/{page_id}/conversations/{conversation_id}/messages",
    "POST /pages/{page_id}/conversations/{conversation_id}/messages",
    "GET /pages/{page_id}/statistics/pages_campaigns",
    "GET /pages/{page_id}/statistics/ads",
    "GET /pages/{page_id}/statistics/customer_engagements",
    "GET /pages/{page_id}/statistics/pages",
    "GET /pages/{page_id}/statistics/tags",
    "GET /pages/{page_id}/statistics/users",
    "GET /pages/{page_id}/page_customers",
    "GET /pages/{page_id}/export_data",
    "PUT /pages/{page_id}/page_customers/{page_customer_id}",
    "POST /pages/{page_id}/page_customers/{page_customer_id}/notes",
    "PUT /pages/{page_id}/page_customers/{page_customer_id}/notes",
    "DELETE /pages/{page_id}/page_customers/{page_customer_id}/notes",
    "GET /pages/{page_id}/sip_call_logs",
    "GET /pages/{page_id}/tags",
    "GET /pages/{page_id}/posts",
    "GET /pages/{page_id}/users",
    "POST /pages/{page_id}/round_robin_users",
    "POST /pages/{page_id}/upload_contents",
    "POST /pke_chat_plugin/messages",
    "GET /pke_chat_plugin/messages",
]
# fuzz_decode's second byte: an index into its `statuses` table.
ST_200, ST_400, ST_401, ST_404, ST_429, ST_500, ST_0 = 0, 5, 6, 8, 9, 10, 13

# fuzz_sim_request's route table indices.
R = {name: i for i, name in enumerate([
    "pages", "generate_token", "chat_plugin", "conversations", "tags", "users", "round_robin", "upload",
    "customers", "customer", "notes", "posts", "call_logs", "export", "st_pages", "st_tags", "st_users",
    "st_engagements", "st_campaigns", "st_ads", "conv_tags", "assign", "read", "unread", "messages",
    "messages_v2"])}
RAW = 255
GET, POST, PUT, DELETE = 0, 1, 2, 3
TOKEN_OK, TOKEN_OTHER, TOKEN_NONE = 0, 1, 2


def dumps(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode()


def sim_req(method, route, page=0, ident=0, token=TOKEN_OK, step=50, query=b"", body=b""):
    if isinstance(query, str):
        query = query.encode()
    if not isinstance(body, bytes):
        body = dumps(body)
    return (bytes([method, route, page, ident, token, step]) + struct.pack("<H", len(query)) + query
            + struct.pack("<H", len(body)) + body)


def sim_seq(*reqs, behaviour=0x8000):
    return struct.pack("<H", behaviour) + b"".join(reqs)


def main():
    spec = json.loads((ROOT / "tests/data/spec_examples.json").read_text())
    api = json.loads((ROOT / "tests/data/api_examples.json").read_text())
    shop = json.loads((ROOT / "simulator/fixtures/shop.json").read_text())
    seeds = {t: [] for t in ("fuzz_decode", "fuzz_webhook", "fuzz_sim_request", "fuzz_keyword_rules",
                             "fuzz_receiver")}

    # fuzz_decode: every documented 2xx body, then the error shapes classify_response knows.
    for i, key in enumerate(ENDPOINTS):
        if spec.get(key) is not None:
            seeds["fuzz_decode"].append(bytes([i, ST_200]) + dumps(spec[key]))
    seeds["fuzz_decode"] += [
        bytes([3, ST_200]) + dumps(api["tag_add"]),
        bytes([23, ST_200]) + dumps(api["users"]),
        bytes([2, ST_200]) + dumps({"conversations": [api["conversation"]]}),
        bytes([21, ST_200]) + dumps({"success": False, "message": "Invalid access_token", "error_code": 102}),
        bytes([21, ST_200]) + dumps({"success": False, "message": "An error occurred. Please try again later."}),
        bytes([21, ST_400]) + dumps({"success": False, "message": "Tag not found"}),
        bytes([21, ST_401]) + b'{"message":"bad token pat_hoamai_7f3c2a91e4b84d0c"}',
        bytes([4, ST_404]) + b"<!DOCTYPE html><html><body>pages.fm</body></html>",
        bytes([6, ST_429]) + b"",
        bytes([6, ST_500]) + b'{"success":false',
        bytes([0, ST_0]) + b"{}",
    ]

    # fuzz_webhook: the five documented envelopes and a few near misses.
    for k, v in api.items():
        if k.startswith("webhook_"):
            seeds["fuzz_webhook"].append(dumps(v))
    seeds["fuzz_webhook"] += [
        dumps({**api["webhook_messaging"], "event_type": "unknown_kind"}),
        dumps({**api["webhook_conversation"], "event_type": 5}),
        b"[]", b"  {}  ", b'{"a":1} {}', b'{"event_type":"messaging"', b"\xef\xbb\xbf{}",
        b"[" * 40 + b"]" * 40, b'{"a":' * 33 + b"1" + b"}" * 33,
    ]

    # fuzz_sim_request: short sessions against the fixture's pages.
    page = shop["pages"][0]
    user = page["users"][0]["id"]
    tag = page["tags"][1]["id"]
    week = "since=1773000000&until=1774000000"
    seeds["fuzz_sim_request"] += [
        sim_seq(sim_req(GET, R["tags"]),
                sim_req(POST, R["conv_tags"], body={"action": "add", "tag_id": tag}),
                sim_req(POST, R["conv_tags"], body={"action": "remove", "tag_id": str(tag)}),
                sim_req(POST, R["assign"], body={"assignee_ids": [user]}),
                sim_req(GET, R["conversations"], query="type[]=INBOX&tags=[1]")),
        sim_seq(sim_req(GET, R["messages"]),
                sim_req(POST, R["messages"], body={"action": "reply_inbox", "message": "Dạ shop chào chị"}),
                sim_req(POST, R["messages"], ident=1,
                        body={"action": "reply_comment", "message": "Inbox shop nhé", "message_id": "m1"}),
                sim_req(POST, R["read"]), sim_req(POST, R["unread"])),
        sim_seq(sim_req(GET, R["pages"]), sim_req(POST, R["generate_token"]), sim_req(GET, R["users"]),
                sim_req(POST, R["round_robin"], body={"inbox": [user], "comment": []}),
                sim_req(GET, R["conversations"], token=TOKEN_OTHER)),
        sim_seq(sim_req(GET, R["customers"], query="page_number=1&page_size=10&" + week),
                sim_req(PUT, R["customer"], ident=4, body={"changes": {"name": "Chị Lan", "gender": "female"}}),
                sim_req(POST, R["notes"], ident=4, body={"message": "Khách VIP"}),
                sim_req(PUT, R["notes"], ident=4, body={"id": "n1", "message": "Khách quen"}),
                sim_req(DELETE, R["notes"], ident=4, body={"id": "n1"})),
        sim_seq(*[sim_req(GET, R[s], query=week) for s in
                  ("st_pages", "st_tags", "st_users", "st_engagements", "st_campaigns", "st_ads")]),
        sim_seq(sim_req(GET, R["posts"], query=week), sim_req(GET, R["call_logs"], query="id=pkg1&" + week),
                sim_req(GET, R["export"], query="action=conversations_from_ads&" + week)),
        sim_seq(sim_req(POST, R["chat_plugin"], query="page_id=web_100000000000001",
                        body={"from_id": "visitor1", "dummy_id": 1, "inserted_at": 1774000000000,
                              "message": "Shop ơi còn hàng không"}),
                sim_req(GET, R["chat_plugin"], query="page_id=web_100000000000001&from_id=visitor1")),
        sim_seq(sim_req(GET, RAW, query="/api/public_api/v1/pages/100000000000001/tags?page_access_token="
                        + page["page_access_token"]),
                sim_req(GET, RAW, query="/%zz?a=%"), sim_req(GET, RAW, query="http://x/y")),
        sim_seq(*[sim_req(GET, R["tags"], step=0) for _ in range(7)]),
        sim_seq(sim_req(POST, R["assign"], body={"assignee_ids": []}), behaviour=0xFFFF),
        sim_seq(sim_req(POST, R["conv_tags"], ident=6, body=b"not json", token=TOKEN_NONE), behaviour=0x0108),
    ]

    # fuzz_keyword_rules: configurations (good and bad), some with a message after a NUL byte.
    rules = {"rules": [
        {"tag": "Đặt hàng", "keywords": ["đặt hàng", "mua", "order"]},
        {"name": "price", "tag": "Hỏi giá", "keywords": ["giá", "price"], "accent_sensitive": True},
        {"tag": "Khiếu nại", "keywords": ["khieu nai", "complaint"]},
        {"tag": "Vận chuyển", "keywords": ["ship"], "match": "substring"},
        {"name": "orders again", "tag": "đặt HÀNG", "keywords": ["chốt đơn"]}]}
    seeds["fuzz_keyword_rules"] += [
        dumps(rules),
        dumps(rules) + b"\0" + "Chị ơi cho em hỏi GIÁ áo này, ship về Huế được không?".encode(),
        dumps(rules) + b"\0" + "chot don 2 cai".encode(),
        dumps(rules) + b"\0\xff\xfe invalid utf-8",
        b'{"rules": []}', b'{"rules": [', b"[]", b"{}", b'{"rules": {}}', b'{"rules": [1]}',
        b'{"rules": [{"keywords": ["a"]}]}', b'{"rules": [{"tag": " ", "keywords": ["a"]}]}',
        b'{"rules": [{"tag": "x", "keywords": ["\\u0301"]}]}',
        b'{"rules": [{"tag": "x", "keywords": ["a"], "match": "regex"}]}',
        b'{"rules": [{"tag": "x", "keywords": ["a"], "color": 1}]}',
    ]

    # fuzz_receiver: [options byte: 1 secret, 2 small max_body, 4 intake of 1] + bytes on the wire.
    def post(body, target="/webhook", extra=b"", chunked=False):
        if chunked:
            data = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
            head = b"Transfer-Encoding: chunked\r\n"
        else:
            data, head = body, b"Content-Length: %d\r\n" % len(body)
        return (b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + head + extra + b"\r\n" + data)
    hook = dumps(api["webhook_messaging"])
    seeds["fuzz_receiver"] += [
        b"\0" + post(hook),
        b"\0" + post(hook) + post(dumps(api["webhook_conversation"])),
        b"\0" + post(hook, chunked=True),
        b"\1" + post(hook, target="/webhook/s3cret"),
        b"\1" + post(hook, target="/webhook?secret=s3cret", extra=b"Connection: close\r\n"),
        b"\1" + post(hook, target="/webhook/wrong"),
        b"\2" + post(hook),
        b"\4" + post(hook) + post(hook) + post(hook),
        b"\0" + post(b"[1,2]") + post(b"not json"),
        b"\0GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\0POST /webhook HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}",
        b"\0POST /webhook HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{",
        b"\0" + b"POST /webhook HTTP/1.1\r\n" + b"X: " + b"a" * 300 + b"\r\n\r\n",
    ]

    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    total = 0
    for target, items in seeds.items():
        d = CORPUS / target
        d.mkdir(parents=True)
        for data in items:
            # Named by content, as libFuzzer names its units: reruns give the same files.
            (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
            total += len(data)
        print(f"{target}: {len(items)} seeds")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
