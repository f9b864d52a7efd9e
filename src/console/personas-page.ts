import type { Persona } from '../core/persona.js'
import { h, table } from './console-layout.js'

export interface PersonasView {
  readonly personas: readonly Persona[]
  readonly errors: readonly { readonly file: string; readonly message: string }[]
  readonly disabled: readonly string[]
  readonly csrf: string
}

/** The personas page: list, load errors, disabled files, upload and the test chat. */
export function personasBody(view: PersonasView): string {
  const csrf = `<input type="hidden" name="_csrf" value="${h(view.csrf)}">`
  const rows = view.personas
    .map((p) => {
      const file = encodeURIComponent(p.sourceFile)
      return `<tr><td>${h(p.name)}</td><td>${h(p.id)}</td><td>${h(p.tier)}</td><td>${p.nsfw ? 'yes' : 'no'}</td><td>${h(p.sourceFile)}</td>
<td><a href="/console/personas/${h(p.id)}/download">PNG card</a> · <a href="/console/personas/${h(p.id)}/download?format=json">JSON</a>
<form method="post" action="/console/personas/files/${h(file)}" class="inline">${csrf}<button type="submit" name="action" value="disable" class="secondary">Disable</button></form></td></tr>`
    })
    .join('')
  const disabled = view.disabled
    .map(
      (f) =>
        `<tr><td>${h(f)}</td><td><form method="post" action="/console/personas/files/${h(encodeURIComponent(f))}" class="inline">${csrf}<button type="submit" name="action" value="enable">Enable</button></form></td></tr>`,
    )
    .join('')
  const options = view.personas
    .map((p) => `<option value="${h(p.id)}">${h(p.name)}</option>`)
    .join('')
  return `
<section aria-labelledby="loaded-h"><h2 id="loaded-h">Loaded (${view.personas.length})</h2>
<div class="scroll"><table id="persona-list"><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Tier</th><th scope="col">Adult</th><th scope="col">Source file</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table></div>
</section>
<section aria-labelledby="errors-h"><h2 id="errors-h">Load errors</h2>
${table(
  ['File', 'Problem'],
  view.errors.map((e) => [e.file, e.message]),
)}
</section>
${disabled ? `<section aria-labelledby="disabled-h"><h2 id="disabled-h">Disabled</h2><table><thead><tr><th scope="col">File</th><th scope="col">Action</th></tr></thead><tbody>${disabled}</tbody></table></section>` : ''}
<section aria-labelledby="upload-h"><h2 id="upload-h">Upload</h2>
<form method="post" action="/console/personas/upload" enctype="multipart/form-data" class="inline" id="upload-form">${csrf}
<label for="persona-file">Character Card (PNG or JSON) or YAML file</label>
<input id="persona-file" name="file" type="file" accept=".png,.json,.yaml,.yml" required>
<button type="submit">Upload</button></form>
<p class="muted">Checked exactly like files in PERSONAS_DIR, then written there.</p>
</section>
<section aria-labelledby="chat-h"><h2 id="chat-h">Test chat</h2>
<form id="chat-form" method="post" action="/console/chat">${csrf}
<p><label for="chat-persona">Persona</label><br><select id="chat-persona" name="persona">${options}</select></p>
<p><label for="chat-text">Message</label><br><textarea id="chat-text" name="text" rows="3" cols="60" required maxlength="4000"></textarea></p>
<button type="submit">Send</button></form>
<h3>Reply</h3><div id="chat-out" aria-live="polite"></div>
<p class="muted">Runs the same path as the bots, as the console's own account (platform "console"); not counted against anyone's quota.</p>
</section>`
}
