import { escapeMarkdown } from '../src/core/markdown-text.js'
import { personaSheet } from '../src/core/persona-prompt.js'
import { shortenAtWord } from '../src/core/shorten.js'
import type { CoreCommand } from './types.js'

export const personasCommand: CoreCommand = {
  name: 'personas',
  description: 'List the personas you can talk to',
  async run(ctx) {
    const caller = ctx.caller
    const personas = await ctx.services.personas.visible(caller)
    if (personas.length === 0) {
      await ctx.reply({ text: 'No personas are available here.', ephemeral: true })
      return
    }
    const active = await ctx.services.personas.active(caller)
    const lines = personas.map((p) => {
      const tags = [p.tier === 'premium' ? 'premium' : '', p.nsfw ? '18+' : '']
        .filter(Boolean)
        .join(', ')
      const blurb = shortenAtWord(
        personaSheet(p, escapeMarkdown(ctx.caller.displayName)).description,
        90,
      )
      return `${p.id === active.id ? '▶ ' : '• '}${p.name} (${p.id})${tags ? ` [${tags}]` : ''}${blurb ? ` — ${blurb}` : ''}`
    })
    await ctx.reply({
      text: ['Personas:', ...lines, '', 'Switch with /persona <name>.'].join('\n'),
      ephemeral: true,
      actions: personas.slice(0, 10).map((p) => ({
        label: p.name,
        command: 'persona',
        args: { name: p.id },
      })),
    })
  },
}
