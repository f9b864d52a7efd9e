import type { CoreCommand } from './types.js'

export const settingsCommand: CoreCommand = {
  name: 'settings',
  description: 'Your settings: "adult yes" confirms you are 18 or older',
  options: [
    {
      name: 'setting',
      description: 'Which setting',
      type: 'string',
      choices: [{ name: 'adult', value: 'adult' }],
    },
    { name: 'value', description: 'yes or no', type: 'string' },
  ],
  async run(ctx) {
    const setting = ctx.args.setting?.toLowerCase()
    const value = ctx.args.value?.toLowerCase()
    if (setting === undefined) {
      await ctx.reply({
        text: `18+ confirmed: ${ctx.caller.account.adultConfirmed ? 'yes' : 'no'}. Change it with /settings adult yes|no.`,
        ephemeral: true,
        personal: true,
        actions: ctx.caller.account.adultConfirmed
          ? [
              {
                label: 'Withdraw 18+',
                command: 'settings',
                args: { setting: 'adult', value: 'no' },
              },
            ]
          : [
              {
                label: 'I am 18 or older',
                command: 'settings',
                args: { setting: 'adult', value: 'yes' },
              },
            ],
      })
      return
    }
    if (setting !== 'adult' || (value !== 'yes' && value !== 'no')) {
      await ctx.reply({ text: 'Usage: /settings adult yes|no', ephemeral: true })
      return
    }
    await ctx.services.settings.setAdultConfirmed(ctx.caller, value === 'yes')
    await ctx.reply({
      text:
        value === 'yes'
          ? 'Thanks: you confirmed you are 18 or older. Adult personas now work in private chats where the platform allows them (Telegram).'
          : 'Adult content is off for your private chats.',
      ephemeral: true,
    })
  },
}
