import { html, type SafeHtml } from './html.js'

/** A complete HTML page for the `/verify` routes. */
export interface Page {
  readonly status: number
  readonly body: string
}

function page(status: number, title: string, content: SafeHtml): Page {
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title} · JustLayMe</title>
<style>body{margin:0;padding:24px;background:#f6f6f8;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d1d1f}
main{max-width:480px;margin:10vh auto;background:#fff;border-radius:12px;padding:28px;box-shadow:0 1px 4px #0001}
h1{font-size:22px;margin:0 0 12px}button{font:inherit;background:#5b5bd6;color:#fff;border:0;border-radius:8px;padding:12px 20px;cursor:pointer}
.muted{color:#666;font-size:14px}</style></head>
<body><main><h1>${title}</h1>
${content}
</main></body></html>`
  return { status, body: body.value }
}

type Identity = {
  platform: string
  platformUserId?: string
  handle?: string | null
  displayName: string
}

/** Platform and the platform's own user id first (they cannot be faked), the chosen name last. */
function identityList(identities: readonly Identity[]): SafeHtml | string {
  const items = identities.map(
    (r) =>
      html`<li><strong>${r.platform}</strong> account${r.handle ? html` <strong>${r.handle}</strong>` : ''}, user id <strong><code>${r.platformUserId ?? '?'}</code></strong> <span class="muted">(shown name “${r.displayName}”, which anyone can choose)</span></li>`,
  )
  return items.length > 0 ? html`<ul>${items}</ul>` : ''
}

export function confirmPage(
  email: string,
  token: string,
  requestedBy: readonly Identity[] = [],
): Page {
  return page(
    200,
    'Confirm your email',
    html`<p>Press the button to verify <strong>${email}</strong> for this JustLayMe account:</p>
${identityList(requestedBy)}
<p class="muted">Check the platform and user id: only confirm if that account is yours. If another account already verified this address, it is asked in its own chat before the two become one.</p>
<form method="post" action="verify"><input type="hidden" name="token" value="${token}"><button type="submit">Confirm my email</button></form>`,
  )
}

export function awaitingApprovalPage(email: string): Page {
  return page(
    200,
    'Waiting for approval',
    html`<p><strong>${email}</strong> already belongs to another JustLayMe account.</p>
<p>We asked that account, in its own Discord or Telegram chat, to approve linking. The accounts become one only when it approves; you'll be told in your chat.</p>`,
  )
}

export function mergeApprovalPage(
  email: string,
  token: string,
  decision: 'approve' | 'refuse',
  requestedBy: readonly Identity[],
): Page {
  const approve = decision === 'approve'
  return page(
    200,
    approve ? 'Approve linking?' : 'Refuse linking?',
    html`<p>Someone asked to link this account to yours (<strong>${email}</strong>):</p>
${identityList(requestedBy)}
<p>If you approve, it becomes part of your account and shares your subscription, personas and memory. Approve only if that account is yours.</p>
<form method="post" action="merge"><input type="hidden" name="token" value="${token}"><input type="hidden" name="decision" value="${decision}"><button type="submit">${approve ? 'Approve linking' : 'Refuse linking'}</button></form>`,
  )
}

export function mergeDecidedPage(approved: boolean, email: string): Page {
  return page(
    200,
    approved ? 'Accounts linked' : 'Linking refused',
    approved
      ? html`<p>Done: the accounts are now one (<strong>${email}</strong>). You can close this page.</p>`
      : html`<p>Refused: the accounts stay separate. You can close this page.</p>`,
  )
}

export function mergeRequestGonePage(status: 'decided' | 'expired' | 'unknown'): Page {
  const text =
    status === 'decided'
      ? 'This request was already answered.'
      : status === 'expired'
        ? 'This request has expired (requests last 24 hours). The other account can ask again.'
        : "We don't recognise this request. Open the button from your chat again."
  return page(status === 'unknown' ? 404 : 410, 'Request closed', html`<p>${text}</p>`)
}

export function verifiedPage(email: string, merged: boolean): Page {
  return page(
    200,
    'Email verified',
    html`<p><strong>${email}</strong> is verified. You can close this page.</p>
${
  merged
    ? html`<p>Your Discord and Telegram accounts are now one account: one subscription, one set of personas and one memory.</p>`
    : html`<p class="muted">Verify the same address from the other platform (Discord or Telegram) to link both into one account.</p>`
}`,
  )
}

export function usedPage(): Page {
  return page(
    410,
    'Link already used',
    html`<p>This verification link was already used. If your email shows as verified in the bot (<code>/status</code>), there is nothing more to do.</p>
<p class="muted">Otherwise run <code>/verify your@email</code> again for a new link.</p>`,
  )
}

export function expiredPage(): Page {
  return page(
    410,
    'Link expired',
    html`<p>This verification link has expired (links last 24 hours).</p>
<p class="muted">Run <code>/verify your@email</code> in the bot for a new link.</p>`,
  )
}

export function unknownPage(): Page {
  return page(
    404,
    'Link not recognised',
    html`<p>We don't recognise this verification link. Check that you opened the whole link from the email.</p>
<p class="muted">Or run <code>/verify your@email</code> in the bot for a new one.</p>`,
  )
}

export function missingTokenPage(): Page {
  return page(
    400,
    'Link incomplete',
    html`<p>This page needs the link from your verification email. Open the link from the email again.</p>`,
  )
}

export function errorPage(): Page {
  return page(
    500,
    'Something went wrong',
    html`<p>We could not verify your email right now. It has been logged; please try again in a minute.</p>`,
  )
}

export function tooManyAttemptsPage(): Page {
  return page(
    429,
    'Too many attempts',
    html`<p>Too many attempts from your network. Please wait a minute and try again.</p>`,
  )
}
