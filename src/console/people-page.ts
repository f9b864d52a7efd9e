import type { Entitlement } from '../core/ports/services.js'
import type { AuditEntry } from '../core/ports/stores.js'
import type { Account, Identity } from '../core/types.js'
import { h, isoTime, table } from './console-layout.js'

export function auditTable(entries: readonly AuditEntry[]): string {
  return `<section aria-labelledby="audit-h"><h2 id="audit-h">Audit log</h2>${table(
    ['When (UTC)', 'Who', 'What', 'Target', 'Detail'],
    entries.map((e) => [isoTime(e.createdAt), e.actor, e.action, e.target, e.detail]),
  )}</section>`
}

export function searchForm(query: string): string {
  return `<form method="get" action="/console/people" role="search" class="inline">
<label for="q">Find a person</label>
<input id="q" name="q" value="${h(query)}" placeholder="@handle, platform:id, id or email" size="32">
<button type="submit">Search</button></form>`
}

export interface PersonView {
  readonly account: Account
  readonly identities: readonly Identity[]
  readonly entitlement: Entitlement
  readonly usage: { readonly messages: number; readonly tokens: number }
  readonly subscription: string
  readonly blocked: boolean
}

const personLabel = (ids: readonly Identity[]) =>
  ids.map((i) => `${i.platform}:${i.platformUserId}${i.handle ? ` (${i.handle})` : ''}`).join(', ')

export function resultsTable(
  people: readonly { id: string; email: string | null; identities: readonly Identity[] }[],
): string {
  if (people.length === 0) return '<p>No one matches.</p>'
  const rows = people
    .map(
      (p) =>
        `<tr><td><a href="/console/people/${h(encodeURIComponent(p.id))}">${h(personLabel(p.identities) || p.id)}</a></td><td>${h(p.email ?? '')}</td><td>${h(p.id)}</td></tr>`,
    )
    .join('')
  return `<div class="scroll"><table><thead><tr><th scope="col">Linked accounts</th><th scope="col">Email</th><th scope="col">Account id</th></tr></thead><tbody>${rows}</tbody></table></div>`
}

/** One person: tier, usage, linked accounts, subscription state, and the actions. */
export function personBody(view: PersonView, csrf: string): string {
  const { account, entitlement } = view
  const id = encodeURIComponent(account.id)
  const until = entitlement.until ? ` until ${isoTime(entitlement.until)}` : ''
  const csrfField = `<input type="hidden" name="_csrf" value="${h(csrf)}">`
  return `
<dl class="card">
<dt>Account id</dt><dd>${h(account.id)}</dd>
<dt>Tier</dt><dd id="person-tier">${h(entitlement.tier)} (${h(entitlement.source)})${h(until)}</dd>
<dt>Email</dt><dd>${h(account.email ?? 'none')}${account.email ? (account.emailVerified ? ' (verified)' : ' (not verified)') : ''}</dd>
<dt>Usage, last 30 days</dt><dd>${h(view.usage.messages)} messages, ${h(view.usage.tokens)} tokens</dd>
<dt>Subscription</dt><dd>${h(view.subscription)}</dd>
<dt>Blocked</dt><dd id="person-blocked">${view.blocked ? 'yes' : 'no'}</dd>
</dl>
<h2>Linked accounts</h2>
${table(
  ['Platform', 'User id', 'Handle', 'Name'],
  view.identities.map((i) => [i.platform, i.platformUserId, i.handle ?? '', i.displayName]),
)}
<h2>Premium days</h2>
<form method="post" action="/console/people/${h(id)}/premium" class="inline">${csrfField}
<label for="days">Days</label><input id="days" name="days" type="number" min="1" max="3650" value="30" required>
<button type="submit" name="action" value="grant">Grant premium</button>
<button type="submit" name="action" value="revoke" class="secondary">Revoke days</button>
</form>
<h2>Access</h2>
<form method="post" action="/console/people/${h(id)}/block" class="inline">${csrfField}
${
  view.blocked
    ? '<button type="submit" name="action" value="unblock">Unblock</button>'
    : '<button type="submit" name="action" value="block">Block this person</button> <span class="muted">They get one polite refusal, then are ignored on every platform.</span>'
}
</form>`
}
