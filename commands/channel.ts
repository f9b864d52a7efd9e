import type { ChatSettings } from '../src/core/types.js'
import type { CoreCommand, CoreCommandContext } from './types.js'

const USAGE = [
  'Usage:',
  '/channel — show this chat’s settings',
  '/channel persona <name|default> — the persona that answers here',
  '/channel server_persona <name|default> — default for the whole Discord server',
  '/channel answer_all on|off — answer every message, not only mentions and replies',
  '/channel adult on|off — allow adult personas here (Telegram groups)',
  '/channel allowed <id,id,…|all> — personas people may pick here',
  '/channel server_allowed <id,id,…|all> — personas allowed on the whole Discord server',
].join('\n')

function describe(s: ChatSettings): string {
  return [
    `Persona here: ${s.personaId ?? 'default'}`,
    `Answer every message: ${s.answerAll ? 'on' : 'off'}`,
    `Adult content: ${s.adultEnabled ? 'on' : 'off'}`,
    `Allowed personas: ${s.allowedPersonas ? s.allowedPersonas.join(', ') : 'all'}`,
  ].join('\n')
}

function onOff(value: string | undefined): boolean | undefined {
  const v = value?.toLowerCase()
  if (v === 'on' || v === 'yes' || v === 'true') return true
  if (v === 'off' || v === 'no' || v === 'false') return false
  return undefined
}

async function personaPatch(
  ctx: CoreCommandContext,
  value: string | undefined,
): Promise<Partial<ChatSettings> | string> {
  if (!value) return 'Which persona? /channel persona <name|default>'
  if (value.toLowerCase() === 'default') return { personaId: null }
  const persona = ctx.services.personas.find(value)
  if (!persona) return `I don't know a persona called "${value}". Try /personas.`
  if (persona.nsfw && !(await ctx.services.settings.adultAllowedHere(ctx.caller))) {
    return `${persona.name} is for adults only and this chat does not allow adult content.`
  }
  return { personaId: persona.id }
}

/** Turning adult content on takes the admin's own 18+ confirmation; turning it off never does. */
function adultPatch(ctx: CoreCommandContext, on: boolean): Partial<ChatSettings> | string {
  if (on && !ctx.caller.account.adultConfirmed) {
    return 'Only an admin who confirmed being 18 or older can turn adult content on. Confirm with /settings adult yes, then run /channel adult on again.'
  }
  return { adultEnabled: on }
}

export const channelCommand: CoreCommand = {
  name: 'channel',
  description: 'Chat settings for admins: persona, answer-all, adult, allowed personas',
  permission: 'chat_admin',
  options: [
    {
      name: 'setting',
      description: 'What to change',
      type: 'string',
      choices: [
        { name: 'persona', value: 'persona' },
        { name: 'server_persona', value: 'server_persona' },
        { name: 'answer_all', value: 'answer_all' },
        { name: 'adult', value: 'adult' },
        { name: 'allowed', value: 'allowed' },
        { name: 'server_allowed', value: 'server_allowed' },
      ],
    },
    { name: 'value', description: 'The new value', type: 'string' },
  ],
  async run(ctx) {
    if (ctx.caller.chatKind === 'direct') {
      await ctx.reply({
        text: '/channel changes a group or channel; in private chats use /persona and /settings.',
        ephemeral: true,
      })
      return
    }
    const caller = ctx.caller
    const setting = ctx.args.setting?.toLowerCase()
    const value = ctx.args.value
    if (!setting) {
      await ctx.reply({ text: describe(await ctx.services.settings.chat(caller)), ephemeral: true })
      return
    }
    let patch: Partial<ChatSettings> | string
    if (setting === 'persona' || setting === 'server_persona') {
      patch = await personaPatch(ctx, value)
    } else if (setting === 'answer_all' || setting === 'adult') {
      const on = onOff(value)
      patch =
        on === undefined
          ? `Usage: /channel ${setting} on|off`
          : setting === 'adult'
            ? adultPatch(ctx, on)
            : { answerAll: on }
    } else if (setting === 'allowed' || setting === 'server_allowed') {
      if (!value) patch = `Usage: /channel ${setting} <id,id,…|all>`
      else if (value.toLowerCase() === 'all') patch = { allowedPersonas: null }
      else {
        const ids = value.split(/[\s,]+/).filter(Boolean)
        const unknown = ids.filter((id) => !ctx.services.personas.find(id))
        patch =
          unknown.length > 0
            ? `Unknown persona${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. See /personas.`
            : {
                allowedPersonas: ids.map((id) => ctx.services.personas.find(id)?.id ?? id),
              }
      }
    } else {
      patch = USAGE
    }
    if (typeof patch === 'string') {
      await ctx.reply({ text: patch, ephemeral: true })
      return
    }
    if (setting === 'server_persona' || setting === 'server_allowed') {
      const saved = await ctx.services.settings.updateServer(caller, patch)
      const summary =
        setting === 'server_persona'
          ? `Server default persona: ${saved?.personaId ?? 'default'}.`
          : `Personas allowed on this server: ${saved?.allowedPersonas?.join(', ') ?? 'all'}. A channel's own /channel allowed list takes precedence.`
      await ctx.reply(
        saved ? summary : { text: `${setting} only works in a Discord server.`, ephemeral: true },
      )
      return
    }
    const saved = await ctx.services.settings.updateChat(caller, patch)
    await ctx.reply(`Saved.\n${describe(saved)}`)
  },
}
