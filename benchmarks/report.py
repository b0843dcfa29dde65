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

# 1b. The seed's stack
seed = [r for r in of("seed_stack") if "client" in r]
seed_ratio = [r for r in of("seed_stack") if "node_fetch_cpu_vs_pancake" in r]
if seed_ratio:
    md += ["## The seed article's stack (Node) against the same simulator, same run", "",
           "| concurrency | Node fetch req/s | fetch CPU µs/req | undici req/s | undici CPU µs/req | fetch CPU / pancake | undici CPU / pancake | fetch CPU / raw Beast |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for rr in seed_ratio:
        c = rr["concurrency"]
        f = next((x for x in seed if x["client"] == "node_fetch_seed" and x["concurrency"] == c), {})
        u = next((x for x in seed if x["client"] == "node_undici_request" and x["concurrency"] == c), {})
        md.append(f"| {c} | {f.get('req_per_s', '–')} | {f.get('cpu_us_per_req', '–')} | {u.get('req_per_s', '–')} | "
                  f"{u.get('cpu_us_per_req', '–')} | {rr['node_fetch_cpu_vs_pancake']:.1f}× | "
                  f"{rr['node_undici_cpu_vs_pancake']:.1f}× | "
                  + (f"{rr['node_fetch_cpu_vs_raw_beast']:.1f}× |" if "node_fetch_cpu_vs_raw_beast" in rr else "– |"))
    md += ["", "Targets: Node fetch ≥ 20× and undici ≥ 5× pancake's CPU per request. Node's CPU is its whole "
           "process's; pancake's is its client thread's. The last column is over the hand-written raw Beast "
           "client's CPU in the same run (a careful Asio client, for scale).", ""]

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
    series = of("rate_budget_series")
    if series:
        with open(os.path.join(out, "rate_budget.dat"), "w") as f:
            f.write("# second requests\n")
            for i, n in enumerate(series[0]["per_second"]):
                f.write(f"{i} {n}\n")
        md += ["![requests per second against the limit](rate_budget.svg)", ""]

# 3b. Rate budget, real time
rr = of("rate_budget_real")
if rr:
    md += ["## Rate budget in real time (one page, `pancake-sim --rate-limit 5`)", "",
           "| client | operations | wall s | 429s | ideal N/5 s | time / ideal |", "|---|---:|---:|---:|---:|---:|"]
    for r in rr:
        ideal = r["ops"] / 5.0
        md.append(f"| {r['client']} | {r['ops']} | {r['wall_s']:.2f} | {r['http_429']} | {ideal:.1f} | "
                  f"{r['wall_s'] / ideal:.3f} |")
    md.append("")

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

# 4b. Simulator throughput
st = [r for r in of("sim_throughput") if "server" in r]
st_ratio = [r for r in of("sim_throughput") if "sim_vs_nginx" in r]
if st_ratio:
    md += ["## Simulator throughput (wrk, 16 connections, one thread each side, rate limit off)", "",
           "| scenario | answer bytes | pancake-sim req/s | nginx req/s | minimal Beast req/s | vs nginx | vs Beast | sim CPU µs/req |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for rr in st_ratio:
        row = {x["server"]: x for x in st if x["scenario"] == rr["scenario"]}
        sim, ngx, bst = row.get("pancake_sim", {}), row.get("nginx", {}), row.get("beast_minimal", {})
        md.append(f"| {rr['scenario']} | {sim.get('answer_bytes', '–')} | {sim.get('req_per_s', '–')} | "
                  f"{ngx.get('req_per_s', '–')} | {bst.get('req_per_s', '–')} | {rr['sim_vs_nginx']:.2f}× | "
                  f"{rr['sim_vs_beast']:.2f}× | {rr['sim_cpu_us_per_req']} |")
    md += ["", "Targets: ≥ 0.5× nginx and ≥ 0.8× the minimal Beast server on tag add and GET tags.", ""]

# 4c. Simulator memory and listing
sc = of("sim_scale")
if sc:
    md += ["## Simulator memory and v2 listing latency", "",
           "| conversations | resident MB (after the listing's index) | KB per conversation | projected MB at 1M | load s | listing ms: first page | tag filter | deep cursor |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sc:
        md.append(f"| {r['conversations']} | {max(r['resident_mb'], r.get('resident_after_listing_mb', 0)):.0f} | {r['kb_per_conversation']:.2f} | "
                  f"{r['projected_1m_mb']:.0f} | {r['load_s']:.2f} | {r['listing_first_ms']:.2f} | "
                  f"{r['listing_tag_ms']:.2f} | {r['listing_deep_ms']:.2f} |")
    md += ["", "Targets: 1M conversations in ≤ 300 MB; a listing call under 1 ms (median), any filter.", ""]

# 5. DST speed
dst = [r for r in rows if "sim_s_per_wall_s" in r]
if dst:
    r = dst[-1]
    md += ["## Virtual-time speed-up (the deterministic simulation harness)", "",
           f"{r['runs']} seeds in {r['wall_s']:.1f} s wall: {r['seeds_per_min']:.0f} seeds per minute, "
           f"{r['sim_s_per_wall_s']:.0f} simulated seconds per wall second "
           f"({r['requests']} requests, {r['events']} webhook events).", ""]

md += ["## Not measured yet", "",
       "- nothing else of issue 13's list; see benchmarks/README.md for what each figure means.", ""]

with open(os.path.join(out, "latest.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(md))

if os.path.exists(os.path.join(out, "rate_budget.dat")):
    script = f"""
set terminal svg size 640,300 dynamic
set output '{os.path.join(out, "rate_budget.svg")}'
set title 'One page, a bulk job: requests per second (server arrival) against the limit'
set xlabel 'second'
set ylabel 'requests'
set yrange [0:7]
set grid
plot '{os.path.join(out, "rate_budget.dat")}' using 1:2 with steps title 'requests in that second', \\
     5 with lines dashtype 2 title 'the limit (5/s)'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: no plot ({e})", file=sys.stderr)

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
