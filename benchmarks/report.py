#!/usr/bin/env python3
"""Turns the JSON lines of scripts/bench into latest.jsonl, a markdown table (latest.md) and SVG
plots (gnuplot). Usage: report.py RAW_JSONL OUT_DIR MACHINE COMMIT WHEN QUICK"""
import json
import os
import subprocess
import sys

raw, out, machine, commit, when, quick = sys.argv[1:7]
rows = []
for line in open(raw, encoding="utf-8"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        rows.append(json.loads(line))
    except json.JSONDecodeError:
        continue

stamp = {"machine": machine, "commit": commit, "when": when, "quick": quick == "1"}
with open(os.path.join(out, "latest.jsonl"), "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps({**stamp, **r}, ensure_ascii=False) + "\n")


def of(bench, **match):
    return [r for r in rows if r.get("bench") == bench and all(r.get(k) == v for k, v in match.items())]


md = [f"# Benchmark results", "",
      f"Machine: {machine}. Commit {commit}, {when}{' (quick sizes)' if quick == '1' else ''}.",
      "Every figure is compared with a baseline measured in the same run; read the ratios.", ""]

# 1. Client throughput
client_rows = [r for r in of("client_throughput") if "client" in r]
ratios = [r for r in of("client_throughput") if "rps_vs_raw" in r]
if client_rows:
    md += ["## Client throughput (pancake::client vs a minimal Beast coroutine client, same simulator)", "",
           "| concurrency | pancake req/s | raw Beast req/s | req/s ratio | pancake CPU µs/req | raw CPU µs/req | CPU ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for rr in ratios:
        c = rr["concurrency"]
        p = next((x for x in client_rows if x["client"] == "pancake" and x["concurrency"] == c), None)
        b = next((x for x in client_rows if x["client"] == "raw_beast" and x["concurrency"] == c), None)
        if not p or not b:
            continue
        md.append(f"| {c} | {p['req_per_s']:.0f} | {b['req_per_s']:.0f} | {rr['rps_vs_raw']:.2f}× | "
                  f"{p['cpu_us_per_req']:.1f} | {b['cpu_us_per_req']:.1f} | {rr['cpu_vs_raw']:.2f}× |")
    md += ["", "![client throughput](client_throughput.svg)", ""]
    with open(os.path.join(out, "client_throughput.dat"), "w") as f:
        f.write("# concurrency pancake_rps raw_rps\n")
        for rr in ratios:
            c = rr["concurrency"]
            p = next((x for x in client_rows if x["client"] == "pancake" and x["concurrency"] == c), None)
            b = next((x for x in client_rows if x["client"] == "raw_beast" and x["concurrency"] == c), None)
            if p and b:
                f.write(f"{c} {p['req_per_s']} {b['req_per_s']}\n")

# 2. Limiter
lim = of("limiter_throughput")
if lim:
    md += ["## Throughput under the 5/s limit (virtual time)", "",
           "| policy | ok | 429s | requests/s | vs serial 220 ms |", "|---|---:|---:|---:|---:|"]
    for r in lim:
        md.append(f"| {r['policy']} | {r['ok']} | {r['http_429']} | {r['rate_per_s']:.2f} | "
                  f"{r['rate_vs_serial_220ms']:.2f}× |")
    md.append("")

# 3. Rate budget
rb = of("rate_budget")
if rb:
    md += ["## Rate-budget use of a bulk job (virtual time, 100 ms latency, 5/s per page)", "",
           "| scenario | pages | operations per page | 429s | time / ideal (N/5 s) |", "|---|---:|---:|---:|---:|"]
    for r in rb:
        md.append(f"| {r['scenario']} | {r['pages']} | {r['ops_per_page']} | {r['http_429']} | "
                  f"{r['time_vs_ideal']:.4f} |")
    md += ["", "Target ≤ 1.03 with zero 429s. The client's limiter keeps 2 % of the budget spare, so 1.02 is "
           "its floor.", ""]

# 4. Webhook intake
wh = [r for r in of("webhook_intake") if "variant" in r]
whs = [r for r in of("webhook_intake") if "memory_vs_bare" in r]
if wh:
    md += ["## Webhook intake (16 connections, loopback)", "",
           "| variant | acknowledged/s | processed/s | p99 ack µs |", "|---|---:|---:|---:|"]
    for r in wh:
        md.append(f"| {r['variant']} | {r['ack_per_s']:.0f} | {r['processed_per_s']:.0f} | {r['p99_ack_us']:.0f} |")
    for r in whs:
        md.append("")
        md.append(f"In-memory intake at {r['memory_vs_bare']:.2f}× the bare Beast server's rate; durable "
                  f"(fdatasync per event) at {r['file_vs_bare']:.2f}×.")
    md.append("")

# 5. DST speed
dst = [r for r in rows if "sim_s_per_wall_s" in r]
if dst:
    r = dst[-1]
    md += ["## Virtual-time speed-up (the deterministic simulation harness)", "",
           f"{r['runs']} seeds in {r['wall_s']:.1f} s wall: {r['seeds_per_min']:.0f} seeds per minute, "
           f"{r['sim_s_per_wall_s']:.0f} simulated seconds per wall second "
           f"({r['requests']} requests, {r['events']} webhook events).", ""]

md += ["## Not measured yet", "",
       "- the seed article's Node `fetch` code and `undici` against the same simulator;",
       "- `wrk` against pancake-sim next to nginx and a minimal Beast server;",
       "- the simulator's memory and listing latency at 100k and 1M conversations.", ""]

with open(os.path.join(out, "latest.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(md))

if os.path.exists(os.path.join(out, "client_throughput.dat")):
    script = f"""
set terminal svg size 640,400 dynamic
set output '{os.path.join(out, "client_throughput.svg")}'
set title 'Client throughput against pancake-sim (same run)'
set xlabel 'concurrent operations'
set ylabel 'requests per second'
set logscale x 2
set key left top
set grid
plot '{os.path.join(out, "client_throughput.dat")}' using 1:2 with linespoints title 'pancake::client', \\
     '' using 1:3 with linespoints title 'hand-written Beast client'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: no plot ({e})", file=sys.stderr)
