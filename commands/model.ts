import type { ListedModel } from '../src/core/model-choice.js'
import type { CoreCommand } from './types.js'

const gb = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`

function line(m: ListedModel, current: string): string {
  const marks = [
    gb(m.sizeBytes),
    m.loaded ? 'loaded' : 'not loaded',
    m.vision ? 'vision: yes' : 'vision: no',
    ...(m.premium ? ['premium'] : []),
  ]
  return `${m.name === current ? '▶ ' : '• '}${m.name} — ${marks.join(', ')}`
}

export const modelCommand: CoreCommand = {
  name: 'model',
  description: 'List the models, or choose one for this chat ("default" to go back)',
  options: [{ name: 'name', description: 'A model name, or "default"', type: 'string' }],
  async run(ctx) {
    const name = ctx.args.name?.trim()
    const models = ctx.services.models
    if (!name) {
      const [list, here] = await Promise.all([models.list(), models.current(ctx.caller)])
      const text = list.length
        ? list.map((m) => line(m, here.model)).join('\n')
        : 'No models can be listed right now: the model servers did not answer.'
      const footer = here.chosen
        ? `This chat uses ${here.chosen} (/model default goes back to the persona's model).`
        : `This chat uses the persona's model, ${here.model}. Choose another with /model <name>.`
      await ctx.reply({ text: `Models:\n${text}\n\n${footer}`, ephemeral: true })
      return
    }
    const result = await models.change(ctx.caller, name)
    let text: string
    switch (result.status) {
      case 'set':
        text = `This chat now uses ${result.model}.`
        break
      case 'cleared':
        text = `This chat uses the persona's model again (${result.model}).`
        break
      case 'chat_admin_only':
        text =
          'Only chat admins can choose the model here (Discord: Manage Server; Telegram: group admins). In a private chat with me you can choose your own.'
        break
      case 'unknown':
        text = `No model server here has "${name}". See the list with /model.`
        break
      case 'not_allowed':
        text = `"${name}" is not one of the models this server allows. See the list with /model.`
        break
      case 'premium':
        text = `${name} is for premium members. Run /subscribe to use it.`
        break
    }
    await ctx.reply({ text, ephemeral: result.status !== 'set' && result.status !== 'cleared' })
  },
}
