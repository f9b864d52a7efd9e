import type { CoreCommand, CoreCommandContext } from './types.js'

const USAGE =
  'Usage: /admin stats | /admin grant <platform:id|account id> <days> | /admin refund <platform:id|account id> | /admin reload | /admin console [revoke]'

/** `/admin console`: a personal sign-in link; `/admin console revoke`: end every session. */
async function consoleLink(ctx: CoreCommandContext): Promise<CommandReplyText> {
  const access = ctx.services.console
  if (!access) return { text: 'The operator console is not enabled on this server.' }
  const actor = `${ctx.caller.platform}:${ctx.caller.platformUserId}`
  if (ctx.args.user?.toLowerCase() === 'revoke') {
    const ended = await access.revokeAll(actor, ctx.now)
    ctx.log.info({ ended }, 'console sessions revoked')
    return { text: `Ended ${ended} console session${ended === 1 ? '' : 's'}.` }
  }
  const url = await access.signInLink(
    { platform: ctx.caller.platform, platformUserId: ctx.caller.platformUserId },
    ctx.now,
  )
  return {
    text: 'Your personal console sign-in link works once, for 10 minutes. Do not share it.',
    links: [{ label: 'Open the console', url }],
  }
}

type CommandReplyText = { text: string; links?: { label: string; url: string }[] }

async function grant(ctx: CoreCommandContext): Promise<string> {
  const days = Number(ctx.args.days)
  if (!ctx.args.user || !Number.isInteger(days) || days < 1 || days > 3650) {
    return 'Usage: /admin grant <platform:id|account id> <days> (1-3650)'
  }
  const found = await ctx.services.admin.resolveUser(ctx.args.user)
  if (!found) return `No account found for ${ctx.args.user}.`
  const { until } = await ctx.services.grants.grant(found.account.id, days, ctx.now)
  ctx.log.info({ accountId: found.account.id, days }, 'premium granted')
  return `Granted ${days} day${days === 1 ? '' : 's'} of premium to ${ctx.args.user}: until ${new Date(until).toISOString().slice(0, 10)}.`
}

async function refund(ctx: CoreCommandContext): Promise<string> {
  const { billing, stars } = ctx.services
  if (!billing && !stars) return 'Subscriptions are not enabled on this server.'
  if (!ctx.args.user) return 'Usage: /admin refund <platform:id|account id>'
  const found = await ctx.services.admin.resolveUser(ctx.args.user)
  if (!found) return `No account found for ${ctx.args.user}.`
  if (stars) {
    try {
      const refunded = await stars.refundLatest(found.account.id, ctx.now)
      if (refunded) {
        ctx.log.info({ accountId: found.account.id }, 'stars payment refunded by admin')
        return `Refunded ${refunded.amount} Stars to ${ctx.args.user}; their Stars premium has ended.`
      }
    } catch (err) {
      ctx.log.warn({ err, accountId: found.account.id }, 'stars refund failed')
      return `Telegram refused the Stars refund: ${err instanceof Error ? err.message : String(err)}`
    }
  }
  if (!billing) return `${ctx.args.user} has no payment to refund.`
  const refunded = await billing.refundLatest(found.account.id, ctx.now)
  if (!refunded) return `${ctx.args.user} has no payment to refund.`
  ctx.log.info({ accountId: found.account.id }, 'payment refunded by admin')
  return `Refunded ${(refunded.amount / 100).toFixed(2)} ${refunded.currency.toUpperCase()} to ${ctx.args.user}.`
}

export const adminCommand: CoreCommand = {
  name: 'admin',
  description: 'Bot admin tools: stats, grant, refund, reload, console',
  permission: 'admin',
  slow: true,
  options: [
    {
      name: 'action',
      description: 'What to do',
      type: 'string',
      required: true,
      choices: [
        { name: 'stats', value: 'stats' },
        { name: 'grant', value: 'grant' },
        { name: 'refund', value: 'refund' },
        { name: 'reload', value: 'reload' },
        { name: 'console', value: 'console' },
      ],
    },
    { name: 'user', description: 'platform:id or account id', type: 'string' },
    { name: 'days', description: 'Days of premium to grant', type: 'integer' },
  ],
  async run(ctx) {
    let text: string
    let links: CommandReplyText['links']
    switch (ctx.args.action?.toLowerCase()) {
      case 'stats': {
        const s = await ctx.services.admin.stats()
        text = [
          `Accounts: ${s.accounts}`,
          `Active in the last 24 h: ${s.activeAccounts24h}`,
          `Messages in the last 24 h: ${s.messages24h}`,
          `Subscribers (Stripe and grants): ${s.subscribers}`,
          ...(s.stars
            ? [
                `Subscribers (Telegram Stars): ${s.stars.subscribers}`,
                `Stars revenue, last 30 days: ${s.stars.last30Days.stars} Stars from ${s.stars.last30Days.payments} payment${s.stars.last30Days.payments === 1 ? '' : 's'}; refunded ${s.stars.last30Days.refundedStars} Stars (${s.stars.last30Days.refunds})`,
              ]
            : []),
          `Personas loaded: ${s.personas}`,
          `Blocked people: ${s.blocked.length === 0 ? 'none' : s.blocked.map((b) => b.label).join('; ')}`,
          ...s.llmHosts.map(
            (h) =>
              `Ollama ${h.host}: ${h.status}${h.concurrency ? `, ${h.concurrency.limit} at once (${h.concurrency.mode})` : ''}`,
          ),
          `Processes: ${s.replicas.length}`,
          ...s.replicas.map(
            (r) =>
              `• ${r.host} pid ${r.pid} (v${r.version}, up since ${new Date(r.startedAt).toISOString()})${r.draining ? ', draining' : ''}: ${r.owns.length > 0 ? r.owns.join(', ') : 'no leases'}`,
          ),
        ].join('\n')
        break
      }
      case 'grant':
        text = await grant(ctx)
        break
      case 'refund':
        text = await refund(ctx)
        break
      case 'reload': {
        const r = await ctx.services.personas.reload()
        text = [
          `Reloaded ${r.loaded} persona${r.loaded === 1 ? '' : 's'}.`,
          ...r.errors.map((e) => `Skipped ${e.file}: ${e.message}`),
        ].join('\n')
        break
      }
      case 'console': {
        const answer = await consoleLink(ctx)
        text = answer.text
        links = answer.links
        break
      }
      default:
        text = USAGE
    }
    await ctx.reply({ text, ephemeral: true, personal: true, ...(links ? { links } : {}) })
  },
}
