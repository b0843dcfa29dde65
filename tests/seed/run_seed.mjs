// Runs the seed article's Node.js examples (../shared/seed-article.txt) against pancake-sim.
// The article's functions are pasted verbatim below the marker; only BASE points at the
// simulator instead of pages.fm. Usage: node run_seed.mjs <path-to-pancake-sim>
import { spawn } from 'node:child_process'
import assert from 'node:assert/strict'
import { createInterface } from 'node:readline'

// The rate limit is off here: this test is about paths and shapes. (With the default 5/s the
// article's own pipeline trips it: loadTagMap, two tag adds 250 ms apart, then refreshCache's
// two parallel GETs and the assign make 6 calls inside one second.)
const sim = spawn(process.argv[2], ['--port', '0', '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
const origin = await new Promise((resolve, reject) => {
  createInterface({ input: sim.stdout }).on('line', (l) => {
    const m = l.match(/^listening on (http:\/\/\S+)$/)
    if (m) resolve(m[1])
  })
  sim.on('exit', (c) => reject(new Error('pancake-sim exited ' + c)))
})
process.env.PANCAKE_PAGE_ID = '100000000000001'
process.env.PANCAKE_PAGE_ACCESS_TOKEN = 'pat_hoamai_7f3c2a91e4b84d0c'
const PAGE_ID_ = process.env.PANCAKE_PAGE_ID
const CONV = '100000000000001_200000000000001'
const state = async () => (await (await fetch(`${origin}/__sim/pages/${PAGE_ID_}/conversations/${CONV}`)).json()).conversation

try {
  // ---- verbatim from the article (BASE changed) ----------------------------------------
  const BASE = `${origin}/api/public_api/v1`
  const PAGE_ID = process.env.PANCAKE_PAGE_ID
  const TOKEN = process.env.PANCAKE_PAGE_ACCESS_TOKEN

  async function loadTagMap(pageId, token) {
    const r = await fetch(`${BASE}/pages/${pageId}/tags?page_access_token=${token}`)
    const { tags = [] } = await r.json()
    return Object.fromEntries(tags.map((t) => [t.text.toLowerCase(), String(t.id)]))
  }

  async function onMessageReceived(event, tagMap) {
    const text = event.message?.text?.toLowerCase() || ''
    const keywordToTag = {
      'đặt hàng': 'đặt hàng',
      'mua': 'đặt hàng',
      'order': 'đặt hàng',
      'giá': 'hỏi giá',
      'khiếu nại': 'khiếu nại',
      'complaint': 'khiếu nại',
    }
    const tagsToAdd = new Set()
    for (const [kw, tagName] of Object.entries(keywordToTag)) {
      if (text.includes(kw) && tagMap[tagName]) {
        tagsToAdd.add(tagMap[tagName])
      }
    }
    for (const tagId of tagsToAdd) {
      await fetch(
        `${BASE}/pages/${event.page_id}/conversations/${event.conversation_id}/tags?page_access_token=${TOKEN}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ action: 'add', tag_id: tagId }),
        }
      )
      await new Promise((r) => setTimeout(r, 250)) // throttle
    }
  }

  async function roundRobinAssign(pageId, conversationId, availableUsers, db) {
    if (availableUsers.length === 0) return // không ai available
    const row = await db.query(
      `SELECT idx FROM rr_cursor WHERE page_id = $1`, [pageId]
    )
    const lastIdx = row.rows[0]?.idx ?? -1
    const nextIdx = (lastIdx + 1) % availableUsers.length
    const targetUser = availableUsers[nextIdx]
    await fetch(
      `${BASE}/pages/${pageId}/conversations/${conversationId}/assign?page_access_token=${TOKEN}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ assignee_ids: [targetUser.id] }),
      }
    )
    await db.query(
      `INSERT INTO rr_cursor (page_id, idx) VALUES ($1, $2)
ON CONFLICT (page_id) DO UPDATE SET idx = $2`,
      [pageId, nextIdx]
    )
  }

  let cache = { tagMap: null, users: [], expiresAt: 0 }
  async function refreshCache() {
    if (Date.now() < cache.expiresAt) return cache
    const [tagsRes, usersRes] = await Promise.all([
      fetch(`${BASE}/pages/${PAGE_ID}/tags?page_access_token=${TOKEN}`),
      fetch(`${BASE}/pages/${PAGE_ID}/users?page_access_token=${TOKEN}`),
    ])
    const { tags = [] } = await tagsRes.json()
    const { users = [] } = await usersRes.json()
    cache = {
      tagMap: Object.fromEntries(tags.map((t) => [t.text.toLowerCase(), String(t.id)])),
      users: users.filter((u) => u.status === 'available'),
      expiresAt: Date.now() + 60 * 60 * 1000,
    }
    return cache
  }
  // ---- end of verbatim code ---------------------------------------------------------------

  const tagMap = await loadTagMap(PAGE_ID, TOKEN)
  assert.equal(tagMap['đặt hàng'], '1')
  assert.equal(tagMap['kiểm hàng'], '0')

  await onMessageReceived({ page_id: PAGE_ID, conversation_id: CONV, message: { text: 'Cho mình đặt hàng, giá bao nhiêu?' } }, tagMap)
  assert.deepEqual((await state()).tags.filter(Boolean).map((t) => t.id).sort(), [1, 3])

  const { users } = await refreshCache()
  const rows = {}
  const db = { query: async (sql, args) => sql.startsWith('SELECT') ? { rows: rows[args[0]] ? [rows[args[0]]] : [] } : (rows[args[0]] = { idx: args[1] }) }
  await roundRobinAssign(PAGE_ID, CONV, users, db)
  assert.deepEqual((await state()).assignee_ids, [users[0].id])
  await roundRobinAssign(PAGE_ID, CONV, users, db)
  assert.deepEqual((await state()).assignee_ids, [users[1].id]) // replace semantics

  // The article's cURL read/unread calls, as fetch.
  let r = await fetch(`${BASE}/pages/${PAGE_ID}/conversations/${CONV}/read?page_access_token=${TOKEN}`, { method: 'POST' })
  assert.deepEqual(await r.json(), { success: true })
  assert.equal((await state()).seen, true)
  r = await fetch(`${BASE}/pages/${PAGE_ID}/conversations/${CONV}/unread?page_access_token=${TOKEN}`, { method: 'POST' })
  assert.deepEqual(await r.json(), { success: true })
  assert.equal((await state()).seen, false)
  console.log('seed article examples: ok')

  // The article's handler against a REAL envelope (issue 15, item 9). The hand-made event above
  // has the article's shape ({page_id, conversation_id, message:{text}}); Pancake posts
  // {page_id, event_type:"messaging", data:{conversation:{id,…}, message:{message, original_message,…}}}.
  // Take the envelope the simulator emits for a customer message and feed it to the same handler:
  // it finds no text and no conversation_id, so it tags nothing: the article would ignore every
  // real event.
  const inject = await fetch(`${origin}/__sim/pages/${PAGE_ID}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ psid: '200000000000777', name: 'Khách thật', text: 'Cho mình đặt hàng, giá bao nhiêu?' }),
  })
  assert.equal(inject.status, 200)
  const { events } = await (await fetch(`${origin}/__sim/events`)).json()
  const real = events.findLast((e) => e.event_type === 'messaging')
  assert.ok(real, 'the simulator emitted a messaging envelope')
  assert.equal(real.page_id, PAGE_ID)
  assert.equal(real.data.conversation.id, `${PAGE_ID}_200000000000777`)
  assert.equal(real.conversation_id, undefined) // the article reads event.conversation_id
  assert.equal(real.message, undefined) // … and event.message.text
  const tagCalls = async () =>
    (await (await fetch(`${origin}/__sim/journal/count?route=tags.update`)).json()).count
  const before = await tagCalls()
  await onMessageReceived(real, tagMap)
  assert.equal(await tagCalls(), before, 'the article handler made no call for a real event')
  const conv = await (await fetch(`${origin}/__sim/pages/${PAGE_ID}/conversations/${real.data.conversation.id}`)).json()
  assert.deepEqual(conv.conversation.tags.filter(Boolean), []) // "đặt hàng" in the text, yet no tag
  console.log('seed article handler ignores a real messaging envelope: shown')
} finally {
  sim.kill('SIGTERM')
}
// pancake-sim stops cleanly on SIGTERM.
const code = sim.exitCode ?? (await new Promise((resolve) => sim.on('exit', (c) => resolve(c))))
assert.equal(code, 0)
