import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync } from 'fastify'
import { assetRoutes } from './asset-routes.js'
import { authRoutes } from './auth-routes.js'
import { chatRoutes } from './chat-routes.js'
import type { ConsoleDeps, ConsoleOptions } from './console-deps.js'
import { overviewRoutes } from './overview-routes.js'
import { peopleRoutes } from './people-routes.js'
import { PersonaFiles } from './persona-files.js'
import { personaRoutes } from './persona-routes.js'
import { usageRoutes } from './usage-routes.js'

/** The operator console under `/console`, one encapsulated plugin for the Fastify server. */
export function consolePlugin(
  deps: ConsoleDeps,
  options: ConsoleOptions & { readonly defaultModel: string },
): FastifyPluginAsync {
  const files = new PersonaFiles(deps.personas, { defaultModel: options.defaultModel })
  return async (app) => {
    await app.register(formbody, { bodyLimit: 16 * 1024 })
    await app.register(multipart)
    await app.register(authRoutes(deps, options))
    await app.register(overviewRoutes(deps, options))
    await app.register(peopleRoutes(deps, options))
    await app.register(personaRoutes(deps, options, files))
    await app.register(chatRoutes(deps, options))
    await app.register(usageRoutes(deps, options))
    await app.register(assetRoutes)
  }
}
