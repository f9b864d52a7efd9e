import { escapeHtml } from '../shared/html.js'

/** Escapes interpolated text; every value in the console's templates goes through it. */
export const h = (value: string | number | null | undefined): string =>
  escapeHtml(value === null || value === undefined ? '' : String(value))

const STYLE = `
:root{color-scheme:light;--fg:#1b1b1f;--muted:#4a4a55;--line:#d0d0d8;--bg:#fafafc;--accent:#1f4fd1;--bad:#a40e26;--good:#116329}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1rem;background:#fff;border-bottom:1px solid var(--line)}
header strong{font-size:1.05rem}nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
nav a{color:var(--accent);text-decoration:none;padding:.2rem 0}nav a[aria-current=page]{font-weight:700;border-bottom:2px solid var(--accent)}
header form{margin-left:auto}main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.25rem 0 1rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.scroll{overflow-x:auto;margin:.25rem 0 1rem}.scroll table{margin:0}figure{margin:0}td{overflow-wrap:break-word}
th{font-weight:600;color:var(--muted)}.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,20rem),1fr));gap:1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.75rem;min-width:0}
.stat{font-size:1.6rem;font-weight:700}.up{color:var(--good)}.down{color:var(--bad)}.muted{color:var(--muted)}
button,input,select,textarea{font:inherit}button{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.35rem .8rem;cursor:pointer}
button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}input,select,textarea{border:1px solid #8a8a96;border-radius:4px;padding:.3rem .4rem;max-width:100%}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}form.inline{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.2rem 0}
label{font-weight:600}.chart{min-height:180px;width:100%}.notice{padding:.6rem .8rem;border-left:4px solid var(--accent);background:#eef2ff;margin:.5rem 0 1rem}
.error{border-left-color:var(--bad);background:#fdecee}#chat-out{white-space:pre-wrap;min-height:3rem;background:#fff;border:1px solid var(--line);padding:.5rem}
`

const PAGES = [
  ['overview', '/console', 'Overview'],
  ['usage', '/console/usage', 'Usage and money'],
  ['people', '/console/people', 'People'],
  ['personas', '/console/personas', 'Personas'],
] as const

export type PageName = (typeof PAGES)[number][0]

export interface LayoutInput {
  readonly title: string
  readonly page: PageName
  readonly admin: string
  readonly csrfToken: string
  readonly body: string
  /** Chart data for the client script, as JSON (escaped for a script element). */
  readonly data?: unknown
  readonly notice?: { readonly text: string; readonly error?: boolean } | undefined
}

/** JSON safe inside `<script type="application/json">`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

/** The signed-in page frame: navigation, sign-out, the charting library and the page script. */
export function consolePage(input: LayoutInput): string {
  const nav = PAGES.map(
    ([name, href, label]) =>
      `<li><a href="${href}"${name === input.page ? ' aria-current="page"' : ''}>${label}</a></li>`,
  ).join('')
  const notice = input.notice
    ? `<p class="notice${input.notice.error ? ' error' : ''}" role="status">${h(input.notice.text)}</p>`
    : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${h(input.csrfToken)}">
<title>${h(input.title)} · JustLayMe console</title>
<link rel="stylesheet" href="/console/assets/uplot.css">
<style>${STYLE}</style>
</head>
<body>
<header>
<strong>JustLayMe console</strong>
<nav aria-label="Console sections"><ul>${nav}</ul></nav>
<form method="post" action="/console/signout">
<input type="hidden" name="_csrf" value="${h(input.csrfToken)}">
<span class="muted">${h(input.admin)}</span> <button type="submit" class="secondary">Sign out</button>
</form>
</header>
<main>
<h1>${h(input.title)}</h1>
${notice}
${input.body}
</main>
<script type="application/json" id="console-data">${scriptJson(input.data ?? {})}</script>
<script src="/console/assets/uplot.js" defer></script>
<script src="/console/assets/console.js" defer></script>
</body>
</html>
`
}

/** A page for people without a session (sign-in, refused links). */
export function plainPage(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${h(title)}</h1>
${bodyHtml}
</main>
</body>
</html>
`
}

/** Where a chart goes: the client draws into it; the table next to it works without scripts. */
export function chartSlot(id: string, label: string): string {
  return `<figure class="card"><figcaption>${h(label)}</figcaption><div class="chart" id="${h(id)}" role="img" aria-label="${h(label)}"></div></figure>`
}

/** A small HTML table; cells are escaped, numbers right-aligned. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  if (rows.length === 0) return '<p class="muted">Nothing yet.</p>'
  const head = headers.map((c) => `<th scope="col">${h(c)}</th>`).join('')
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c) => (typeof c === 'number' ? `<td class="num">${h(c.toLocaleString('en-US'))}</td>` : `<td>${h(c)}</td>`)).join('')}</tr>`,
    )
    .join('')
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
}

export const isoTime = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').slice(0, 16)
