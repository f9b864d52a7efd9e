import { afterEach, describe, expect, it } from 'vitest'
import { commands } from '../../../commands/index.js'
import { createChatCore, type RunningChatCore } from '../../../src/core/create-chat-core.js'
import type { ChatSettingsStore, Stores } from '../../../src/core/ports/stores.js'
import type { DatabaseHandle } from '../../../src/storage/create-database.js'
import { createSqlStores } from '../../../src/storage/sql-stores.js'
import { createTestDatabase } from '../../helpers/database.js'
import { silentLogger } from '../../helpers/logger.js'
import {
  collect,
  DEFAULT_OPTIONS,
  FakeLlm,
  FixedEntitlements,
  group,
  makePersona,
  memoryPersonas,
  RecordingGrants,
} from './fixtures.js'

let db: DatabaseHandle | undefined
let core: RunningChatCore | undefined
afterEach(async () => {
  await core?.close(0)
  await db?.destroy()
  core = undefined
  db = undefined
})

/** Real SQL stores whose chat-settings reads are recorded. */
function recordingSettings(stores: Stores): { stores: Stores; reads: string[] } {
  const reads: string[] = []
  const chatSettings: ChatSettingsStore = {
    get: (scope) => {
      reads.push(scope)
      return stores.chatSettings.get(scope)
    },
    update: (scope, patch, now) => stores.chatSettings.update(scope, patch, now),
  }
  return { stores: { ...stores, chatSettings }, reads }
}

describe('a group reply', () => {
  it('reads its chat settings once for answer-all, the persona and the adult check', async () => {
    db = await createTestDatabase('sqlite')
    const { stores, reads } = recordingSettings(createSqlStores(db.db))
    await stores.chatSettings.update(
      'telegram:-100',
      { answerAll: true, adultEnabled: true, personaId: 'vex' },
      1,
    )
    core = createChatCore(
      {
        stores,
        llm: new FakeLlm(),
        personas: memoryPersonas([
          makePersona({ id: 'nova' }),
          makePersona({ id: 'vex', nsfw: true }),
        ]),
        entitlements: new FixedEntitlements(),
        grants: new RecordingGrants(),
        commands,
        log: silentLogger(),
      },
      DEFAULT_OPTIONS,
    )
    const events = await collect(core.reply(group('hello there')))
    expect(events.at(-1)?.type).toBe('done')
    expect(events.find((e) => e.type === 'accepted')).toMatchObject({
      persona: { id: 'vex' },
    })
    expect(reads).toEqual(['telegram:-100'])
  })
})
