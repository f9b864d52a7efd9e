import { afterEach, describe, expect, it } from 'vitest'
import { modelOf } from '../../../helpers/media-bytes.js'
import { MODEL, type Stack, startStack } from './harness.js'

const USER = 3001
const ADMIN = 3002
const GROUP = -100900

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const said = (s: Stack, chatId: number, match: RegExp) => () =>
  s.telegram
    .botMessages(chatId)
    .filter((m) => match.test(m.text))
    .at(-1)

describe('/model on Telegram (real grammY against the Bot API double)', () => {
  it('lets anyone choose in their private chat and only group admins in a group', async () => {
    stack = await startStack()
    const s = stack
    s.ollama.set({ models: [MODEL, 'gemma3'], vision: ['gemma3'] })
    expect(s.telegram.commands.get('all_private_chats')?.map((c) => c.command)).toContain('model')

    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/model' })
    await s.telegram.until(said(s, USER, /gemma3:latest — 2\.0 GB, not loaded, vision: yes/))
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/model gemma3' })
    await s.telegram.until(said(s, USER, /This chat now uses gemma3:latest\./))
    s.ollama.set({ reply: () => 'Private gemma.' })
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: 'hello' })
    await s.telegram.until(said(s, USER, /Private gemma\./))
    expect(modelOf(s.ollama.requestsTo('/api/chat').at(-1)?.body)).toBe('gemma3:latest')
    s.telegram.injectMessage({ chatId: USER, userId: USER, text: '/status' })
    await s.telegram.until(said(s, USER, /Model: gemma3:latest \(chosen for this chat/))

    const group = { chatId: GROUP, chatType: 'supergroup' as const }
    s.telegram.injectMessage({ ...group, userId: USER, text: '/model@JustLayMeBot gemma3' })
    // Refusals are private: Telegram groups get them as a direct message.
    await s.telegram.until(said(s, USER, /Only chat admins can choose the model/))
    s.telegram.setAdmin(GROUP, ADMIN)
    s.telegram.injectMessage({ ...group, userId: ADMIN, text: '/model@JustLayMeBot llama9' })
    await s.telegram.until(said(s, ADMIN, /No model server here has "llama9"/))
    s.telegram.injectMessage({ ...group, userId: ADMIN, text: '/model@JustLayMeBot gemma3' })
    await s.telegram.until(said(s, GROUP, /This chat now uses gemma3:latest\./))
    s.telegram.injectMessage({ ...group, userId: ADMIN, text: '/model@JustLayMeBot default' })
    await s.telegram.until(said(s, GROUP, /persona's model again \(llama3\.2\)/))
  })
})
