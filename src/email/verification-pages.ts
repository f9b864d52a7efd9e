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

export function confirmPage(
  email: string,
  token: string,
  requestedBy: readonly { platform: string; displayName: string }[] = [],
): Page {
  const who = requestedBy.map(
    (r) => html`<li><strong>${r.displayName}</strong> on ${r.platform}</li>`,
  )
  return page(
    200,
    'Confirm your email',
    html`<p>Press the button to verify <strong>${email}</strong> for this JustLayMe account:</p>
${who.length > 0 ? html`<ul>${who}</ul>` : ''}
<p class="muted">If another account already verified this address, the two become one account. Only confirm if the account above is yours.</p>
<form method="post" action="verify"><input type="hidden" name="token" value="${token}"><button type="submit">Confirm my email</button></form>`,
  )
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
