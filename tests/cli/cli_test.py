#!/usr/bin/env python3
"""Drives the built `pancake` CLI against a real pancake-sim over loopback.

Usage: cli_test.py PANCAKE_BINARY PANCAKE_SIM_BINARY
Starts pancake-sim --port 0 on the built-in sample shop, runs the CLI's commands and checks
their output, their exit codes and the simulator's state (through /__sim/), and that the token
never shows up in what the CLI prints. The simulator is killed on exit, whatever happens.
"""
import atexit
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request

CLI, SIM = sys.argv[1], sys.argv[2]
PAGE = "100000000000001"
TOKEN = "pat_hoamai_7f3c2a91e4b84d0c"
CONV1 = "100000000000001_200000000000001"  # INBOX, tags [3], unassigned, unread
CONV2 = "100000000000001_200000000000002"  # INBOX, tags [1], assigned to An
CONV3 = "300000000000001_400000000000001"  # COMMENT, no tags
AN = "c4bafd84-7b96-4f28-b59a-031f17c32ddf"
BINH = "fb5ff8ed-434b-4d4b-a213-b595b242b81a"
DUNG = "2b1f0c55-9a6e-4b7d-8f21-6c0d3e9a4b12"



def die_with_parent():  # the simulator goes too if this script is killed (a ctest timeout)
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


sim = subprocess.Popen([SIM, "--port", "0"], stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
atexit.register(lambda: (sim.kill(), sim.wait()))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # atexit still runs
base = None
for line in sim.stdout:  # blocks until the simulator says where it listens (no sleeps)
    if line.startswith("listening on "):
        base = line.split()[-1]
        break
if base is None:
    sys.exit("pancake-sim did not start")
threading.Thread(target=lambda: [None for _ in sim.stdout], daemon=True).start()

failures = []
outputs = []  # everything the CLI printed: the token must never be in it


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def admin(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + "/__sim/" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def conv_state(conv):
    return admin("GET", f"pages/{PAGE}/conversations/{conv}")["conversation"]


def tag_ids(conv):
    return sorted(t["id"] for t in conv_state(conv)["tags"] if t)


def run(*args, token=TOKEN, page=PAGE, base_url=None):
    env = dict(os.environ)
    env.pop("PANCAKE_PAGE_ID", None)
    env.pop("PANCAKE_BASE_URL", None)
    if token is None:
        env.pop("PANCAKE_PAGE_ACCESS_TOKEN", None)
    else:
        env["PANCAKE_PAGE_ACCESS_TOKEN"] = token
    argv = [CLI]
    if page:
        argv += ["--page", page]
    argv += ["--base-url", base_url or base] + list(args)
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    outputs.append((argv, p.stdout, p.stderr))
    return p.returncode, p.stdout, p.stderr


def run_json(*args, **kw):
    rc, out, err = run("--json", *args, **kw)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return rc, doc, err


# The simulator's own 5/s limit would only slow the many short processes down (each has its own
# limiter); the client's pacing is tested elsewhere.
admin("POST", "rate_limit", {"per_second": 0})

# ---- listings ----
rc, doc, _ = run_json("tags")
check(rc == 0 and doc is not None, "tags --json: exit 0, one JSON document")
names = {t["id"]: t["text"] for t in (doc or {}).get("tags", [])}
check(len(names) == 6 and names.get(1) == "Đặt hàng" and names.get(0) == "Kiểm hàng", "tags: the fixture's six tags")
rc, out, _ = run("tags")
check(rc == 0 and "Khách VIP" in out and out.splitlines()[0].split()[:2] == ["ID", "NAME"], "tags: human table")

rc, doc, _ = run_json("users")
users = {u["id"]: u["name"] for u in (doc or {}).get("users", [])}
check(rc == 0 and users.get(BINH) == "Trần Thị Bình" and len(users) == 4, "users --json: the fixture's staff")
rc, out, _ = run("users")
check(rc == 0 and "Lê Hoàng Cường" in out, "users: human table")

rc, doc, _ = run_json("conversations", "--all")
ids = {c["id"] for c in (doc or {}).get("conversations", [])}
check(rc == 0 and ids == {CONV1, CONV2, CONV3} and doc["count"] == 3, "conversations --all: every conversation")
rc, doc, _ = run_json("conversations", "--type", "inbox")
ids = {c["id"] for c in (doc or {}).get("conversations", [])}
check(rc == 0 and ids == {CONV1, CONV2}, "conversations --type inbox: one listing call, filtered")
rc, doc, _ = run_json("conversations", "--tag", "Đặt hàng", "--since", "2025-12-31", "--until", "2026-01-31")
ids = {c["id"] for c in (doc or {}).get("conversations", [])}
check(rc == 0 and ids == {CONV2}, "conversations --tag NAME --since DATE --until DATE")

# ---- tag / untag by name and id ----
rc, doc, _ = run_json("tag", CONV1, "dat HANG")  # folded: case and accents ignored
check(rc == 0 and doc and 1 in doc["tags"] and doc["tag"]["text"] == "Đặt hàng", "tag by folded name: answer")
check(1 in tag_ids(CONV1), "tag by name: the simulator's conversation has the tag")
rc, doc, _ = run_json("conversations", "--all")
c1 = [c for c in (doc or {}).get("conversations", []) if c["id"] == CONV1]
check(c1 and 1 in [t["id"] for t in c1[0]["tags"] if t], "tag: the CLI's own listing shows it")
rc, out, _ = run("untag", CONV1, "1")
check(rc == 0 and "untagged" in out, "untag by id: exit 0")
check(1 not in tag_ids(CONV1), "untag: the simulator's conversation lost the tag")

# ---- assignment ----
rc, doc, _ = run_json("assign", CONV1, "Trần Thị Bình", AN)
check(rc == 0 and doc and sorted(doc["assignee_ids"]) == sorted([AN, BINH]), "assign: answer")
check(sorted(conv_state(CONV1)["assignee_ids"]) == sorted([AN, BINH]), "assign: simulator state")
rc, doc, _ = run_json("assign", CONV1, "Phạm Thu Dung")
check(rc == 0 and conv_state(CONV1)["assignee_ids"] == [DUNG], "assign replaces the set")
rc, doc, _ = run_json("add-assignee", CONV1, "binh")
check(rc == 0 and sorted(conv_state(CONV1)["assignee_ids"]) == sorted([DUNG, BINH]), "add-assignee keeps the others")
rc, doc, _ = run_json("remove-assignee", CONV1, DUNG)
check(rc == 0 and conv_state(CONV1)["assignee_ids"] == [BINH], "remove-assignee keeps the others")
rc, _, _ = run("assign", CONV1, "--none")
check(rc == 0 and conv_state(CONV1)["assignee_ids"] == [], "assign --none unassigns everyone")

# ---- read / unread ----
rc, _, _ = run("read", CONV1)
check(rc == 0 and conv_state(CONV1)["seen"] is True, "read: seen")
rc, doc, _ = run_json("unread", CONV1)
check(rc == 0 and doc == {"conversation": CONV1, "seen": False} and conv_state(CONV1)["seen"] is False,
      "unread: not seen")

# ---- round robin ----
rc, _, _ = run("round-robin", "set", "--inbox", "An", "Bình", "--comment")
rc2, doc, _ = run_json("round-robin", "show")
check(rc == 0 and rc2 == 0 and doc == {"inbox": [AN, BINH], "comment": []}, "round-robin set, then show")

# ---- errors and exit codes ----
WRONG = "pat_wrong_0123456789abcdef"
rc, out, err = run("tags", token=WRONG)
check(rc == 3, f"wrong token: exit 3 (got {rc})")
check(WRONG not in out and WRONG not in err, "wrong token: not printed")
rc, out, err = run("--json", "tags", token=WRONG)
try:
    e = json.loads(err)["error"]
except ValueError:
    e = {}
check(rc == 3 and e.get("kind") == "auth" and e.get("exit_code") == 3 and out == "", "--json: the error as JSON")
rc, _, _ = run("tags", token=None)
check(rc == 3, "no token: exit 3")
rc, _, err = run("read", PAGE + "_999999999")
check(rc == 4, f"unknown conversation: exit 4 (got {rc}: {err.strip()})")
rc, _, _ = run("tag", CONV1, "no such tag")
check(rc == 4, "unknown tag name: exit 4")
rc, _, _ = run("assign", CONV1, "Nobody Here")
check(rc == 4, "unknown user: exit 4")
rc, _, _ = run("add-assignee", PAGE + "_999999999", AN)
check(rc == 4, "add-assignee on an unknown conversation: exit 4")
for args, what in [(["frobnicate"], "unknown command"), (["tag", CONV1], "missing argument"),
                   (["conversations", "--type", "FAX"], "bad --type"), (["conversations", "--since", "yesterday"], "bad time"),
                   (["tags", "--timeout", "-1"], "bad --timeout"), (["assign", CONV1], "assign without users"),
                   (["clear-tags"], "clear-tags without a filter"), (["tags", "--no-such-option"], "unknown option")]:
    rc, _, _ = run(*args)
    check(rc == 2, f"usage error ({what}): exit 2 (got {rc})")
rc, _, _ = run("tags", page=None)
check(rc == 2, "no page: exit 2")
rc, _, _ = run("tags", base_url="http://127.0.0.1:1")
check(rc == 7, f"nothing listening: exit 7 (got {rc})")
admin("PUT", "faults", {"rules": [{"route": "tags.list", "kind": "hang"}]})
rc, _, err = run("tags", "--timeout", "1")
check(rc == 7, f"a hanging server and --timeout 1: exit 7 (got {rc}: {err.strip()})")
admin("PUT", "faults", {"rules": [{"route": "read", "kind": "html"}]})
rc, _, err = run("read", CONV1)
check(rc == 1, f"an HTML answer: exit 1 (got {rc}: {err.strip()})")
admin("DELETE", "faults")
rc, out, _ = run("--help")
check(rc == 0 and "Exit codes:" in out and "clear-tags" in out, "--help lists commands and exit codes")

# ---- clear-tags over a filter ----
run("tag", CONV1, "Khách VIP")
run("tag", CONV3, "Spam")
before = tag_ids(CONV1), tag_ids(CONV2), tag_ids(CONV3)
check(before == ([3, 5], [1], [4]), f"clear-tags setup: {before}")
rc, doc, _ = run_json("clear-tags", "--type", "INBOX", "--dry-run")
check(rc == 0 and doc and doc["total"] == 2 and tag_ids(CONV1) == [3, 5], "clear-tags --dry-run changes nothing")
rc, out, err = run("clear-tags", "--type", "INBOX")
check(rc == 0 and "2/2 conversations done" in out and "3 tags removed" in out, "clear-tags: summary done/total")
check("clear-tags 2/2" in err, "clear-tags: progress lines on a non-terminal stderr")
check(tag_ids(CONV1) == [] and tag_ids(CONV2) == [] and tag_ids(CONV3) == [4], "clear-tags: only the filter's tags")
rc, doc, _ = run_json("clear-tags", "--tag", "Spam")
check(rc == 0 and doc and doc["done"] == 1 and doc["total"] == 1 and doc["failed"] == 0 and tag_ids(CONV3) == [],
      "clear-tags --tag NAME --json: summary")

# ---- SIGINT stops a job cleanly: exit 6, a summary, the rest untouched ----
SPAM = 4
many = []
for i in range(30):
    psid = str(290000000000000 + i)
    admin("POST", f"pages/{PAGE}/messages", {"psid": psid, "name": f"Khách {i}", "text": "xin chào"})
    conv = f"{PAGE}_{psid}"
    req = urllib.request.Request(
        f"{base}/api/public_api/v1/pages/{PAGE}/conversations/{conv}/tags?page_access_token={TOKEN}",
        data=json.dumps({"action": "add", "tag_id": str(SPAM)}).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    many.append(conv)
env = dict(os.environ, PANCAKE_PAGE_ACCESS_TOKEN=TOKEN)
job = subprocess.Popen([CLI, "--page", PAGE, "--base-url", base, "clear-tags", "--tag", "Spam"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
seen = []
for line in job.stderr:  # a progress line every 10 items (stderr is not a terminal)
    seen.append(line)
    if line.startswith("clear-tags 10/30"):
        job.send_signal(signal.SIGINT)
        break
out, err = job.communicate(timeout=60)
outputs.append((["clear-tags", "(interrupted)"], out, "".join(seen) + err))
left = sum(1 for c in many if SPAM in tag_ids(c))
check(job.returncode == 6, f"clear-tags interrupted: exit 6 (got {job.returncode})")
check("interrupted" in out and "/30 conversations done" in out, "clear-tags interrupted: summary printed")
check(0 < left < 20, f"clear-tags interrupted: stopped early ({30 - left} of 30 cleared)")
rc, doc, _ = run_json("clear-tags", "--tag", "Spam")
check(rc == 0 and doc and doc["total"] == left and doc["done"] == left and not doc["interrupted"],
      "clear-tags after an interrupt: the rest")

# ---- bulk-reassign: plan, interrupt (checkpoint saved), resume; follow-up ----
CUONG = "79d4e769-ac31-4821-8304-d6e251d532e9"


def holders():
    rc, doc, _ = run_json("conversations", "--all")
    out = {}
    for c in (doc or {}).get("conversations", []):
        for u in c["assignee_ids"]:
            out.setdefault(u, set()).add(c["id"])
    return out


an_before = holders().get(AN, set())
check(len(an_before) >= 12, f"bulk-reassign setup: An holds {len(an_before)} conversations")
rc, doc, _ = run_json("bulk-reassign", "--from", "An", "--to", "Dung", "--dry-run")
check(rc == 0 and doc and {i["conversation_id"] for i in doc["items"]} == an_before
      and holders().get(AN, set()) == an_before, "bulk-reassign --dry-run: the plan, nothing changed")
ckpt = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"pancake-cli-test-{os.getpid()}.json")
atexit.register(lambda: os.path.exists(ckpt) and os.remove(ckpt))
admin("PUT", "faults", {"rules": [{"route": "assign", "kind": "latency", "latency": {"dist": "fixed", "ms": 400}}]})
job = subprocess.Popen([CLI, "--page", PAGE, "--base-url", base, "bulk-reassign", "--from", AN, "--to", "Phạm Thu Dung",
                        "Lê Hoàng Cường", "--checkpoint", ckpt, "--concurrency", "1"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
seen = []
for line in job.stderr:
    seen.append(line)
    if line.startswith("bulk-reassign 10/"):
        job.send_signal(signal.SIGINT)
        break
out, err = job.communicate(timeout=60)
admin("DELETE", "faults")
outputs.append((["bulk-reassign", "(interrupted)"], out, "".join(seen) + err))
check(job.returncode == 6 and "interrupted" in out, f"bulk-reassign interrupted: exit 6 (got {job.returncode})")
try:
    saved = json.load(open(ckpt))
    states = [i["state"] for i in saved["items"]]
except (OSError, ValueError, KeyError):
    states = []
check(len(states) == len(an_before) and 10 <= states.count("done") < len(states),
      f"bulk-reassign interrupted: checkpoint saved ({states.count('done')} done of {len(states)})")
rc, _, _ = run("bulk-reassign", "--from", "An", "--to", "Dung", "--checkpoint", ckpt)
check(rc == 2, "bulk-reassign: an existing checkpoint without --resume is refused (exit 2)")
rc, doc, _ = run_json("bulk-reassign", "--resume", "--checkpoint", ckpt)
check(rc == 0 and doc and doc["done"] == len(an_before) and doc["failed"] == 0 and doc["pending"] == 0,
      "bulk-reassign --resume: the rest done")
h = holders()
moved = h.get(DUNG, set()) | h.get(CUONG, set())
check(not h.get(AN) and an_before <= moved and h.get(DUNG) and h.get(CUONG),
      "bulk-reassign: An holds nothing, Dung and Cường took An's conversations")
binh = h.get(BINH, set())
rc, doc, _ = run_json("bulk-reassign", "--from", "Bình", "--to", "An")
check(rc == 0 and doc and doc["total"] == len(binh) and doc["done"] == len(binh) and holders().get(AN) == binh,
      "bulk-reassign without a checkpoint")
for args, what in [(["bulk-reassign", "--resume"], "--resume without --checkpoint"),
                   (["bulk-reassign", "--from", "An"], "no --to"), (["follow-up"], "no --older-than"),
                   (["follow-up", "--older-than", "0"], "--older-than 0")]:
    rc, _, _ = run(*args)
    check(rc == 2, f"usage error ({what}): exit 2 (got {rc})")

PAGE2, TOKEN2 = "100000000000002", "pat_senvang_5d1e8b7a3c6f4e21"
rc, doc, _ = run_json("follow-up", "--older-than", "24", "--dry-run", page=PAGE2, token=TOKEN2)
todo = set((doc or {}).get("conversations", []))
check(rc == 0 and todo and todo <= {"100000000000002_500000000000001", "100000000000002_520000000000001",
                                     "100000000000002_520000000000003"}, f"follow-up --dry-run: {sorted(todo)}")
rc, doc, _ = run_json("follow-up", "--older-than", "24", page=PAGE2, token=TOKEN2)
check(rc == 0 and doc and doc["done"] == len(todo) and doc["total"] == len(todo), "follow-up: every one marked")
check(all(admin("GET", f"pages/{PAGE2}/conversations/{c}")["conversation"]["seen"] is False for c in todo),
      "follow-up: the simulator shows them unread")
rc, doc, _ = run_json("follow-up", "--older-than", "24", "--dry-run", page=PAGE2, token=TOKEN2)
check(rc == 0 and doc and doc["total"] == 0, "follow-up again: nothing left")

# ---- the token never printed ----
leaks = [" ".join(a) for a, o, e in outputs for t in (TOKEN, TOKEN2) if t in o or t in e]
check(not leaks, "the token appears in no output" + (": " + leaks[0] if leaks else ""))

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
