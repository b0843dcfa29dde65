// The seed article's stack as a benchmark client (issue 13, item 2): the article's tag-add call
// (`fetch` with the token in the query string, a JSON body) or the same request through undici's
// request(), N requests with C in flight against BASE (pancake-sim with its rate limit off).
// Prints one JSON line: requests/s and this process's CPU (user + system) per request.
//
//   node seed_clients.mjs BASE fetch|undici|serial250 N C
//   (undici: from the folder in UNDICI_DIR, e.g. after `npm install --prefix DIR undici`)
import { createRequire } from 'node:module'

const [base, client, nArg, cArg] = process.argv.slice(2)
const n = Number(nArg ?? 2000)
const c = Number(cArg ?? 16)
const PAGE_ID = '100000000000001'
const TOKEN = 'pat_hoamai_7f3c2a91e4b84d0c'
const BASE = `${base}/api/public_api/v1`
const convs = ['100000000000001_200000000000001', '100000000000001_200000000000002', '300000000000001_400000000000001']

let send
if (client === 'fetch') {
  // The article's call, verbatim but for the ids.
  send = async (conv, tagId) => {
    const r = await fetch(`${BASE}/pages/${PAGE_ID}/conversations/${conv}/tags?page_access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'add', tag_id: tagId }),
    })
    const j = await r.json()
    return r.ok && j.success !== false
  }
} else if (client === 'undici') {
  const require = createRequire((process.env.UNDICI_DIR ?? process.cwd()) + '/')
  const { request, Agent } = require('undici')
  const dispatcher = new Agent({ connections: c, pipelining: 1 })
  send = async (conv, tagId) => {
    const r = await request(`${BASE}/pages/${PAGE_ID}/conversations/${conv}/tags?page_access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'add', tag_id: tagId }),
      dispatcher,
    })
    const j = await r.body.json()
    return r.statusCode === 200 && j.success !== false
  }
} else if (client === 'serial250') {
  // The seed's own pacing against a rate-limited simulator (issue 13, item 4b): one call at a
  // time, 250 ms after each answer, as the article's handler does between tag adds.
  let rejected = 0
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; ++i) {
    const r = await fetch(`${BASE}/pages/${PAGE_ID}/conversations/${convs[i % convs.length]}/tags?page_access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'add', tag_id: 1 + (i % 2) }),
    })
    await r.json()
    if (r.status === 429) ++rejected
    await new Promise((res) => setTimeout(res, 250)) // throttle
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(JSON.stringify({ bench: 'rate_budget_real', client: 'node_serial_250ms', ops: n, wall_s: Number(wall.toFixed(3)), http_429: rejected }))
  process.exit(0)
} else {
  console.error('usage: node seed_clients.mjs BASE fetch|undici|serial250 N C')
  process.exit(2)
}

// A warm-up, then the measured run.
for (let i = 0; i < Math.min(200, n); ++i) await send(convs[i % convs.length], 1)
let next = 0
let ok = 0
let failed = 0
const cpu0 = process.cpuUsage()
const t0 = process.hrtime.bigint()
await Promise.all(
  Array.from({ length: c }, async () => {
    while (next < n) {
      const i = next++
      try {
        ;(await send(convs[i % convs.length], 1 + (i % 2))) ? ++ok : ++failed
      } catch {
        ++failed
      }
    }
  }),
)
const wall = Number(process.hrtime.bigint() - t0) / 1e9
const cpu = process.cpuUsage(cpu0)
console.log(
  JSON.stringify({
    bench: 'seed_stack',
    client: client === 'fetch' ? 'node_fetch_seed' : 'node_undici_request',
    concurrency: c,
    ok,
    failed,
    req_per_s: Math.round(ok / wall),
    cpu_us_per_req: Number(((cpu.user + cpu.system) / Math.max(ok, 1)).toFixed(2)),
    user_cpu_us_per_req: Number((cpu.user / Math.max(ok, 1)).toFixed(2)),
  }),
)
process.exit(failed ? 1 : 0)
