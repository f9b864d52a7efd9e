import { describe, expect, it } from 'vitest'
import { escapeHtml, htmlPage } from '../../../src/shared/html.js'

describe('htmlPage', () => {
  it('escapes title and message', () => {
    const page = htmlPage('<b>"x"</b>', `<script>alert('x')</script> & more`)
    expect(page).not.toContain('<script>')
    expect(page).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more')
    expect(page).toContain('<title>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</title>')
  })

  it('leaves plain text alone', () => {
    expect(escapeHtml('Premium is active')).toBe('Premium is active')
  })
})
