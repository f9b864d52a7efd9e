import type { Config } from '../config.js'
import { WEB_CONSOLE_USER_ID } from '../console/chat-routes.js'
import { withConsoleAdmin } from '../console-user.js'
import type { ChatCoreOptions } from '../core/create-chat-core.js'
import type { LlmGatewayOptions } from '../llm/create-llm-gateway.js'
import type { ServerOptions } from '../server/app.js'

/** The LLM gateway's options from the validated configuration (`npm start` and `npm run chat`). */
export function llmGatewayOptionsFrom(config: Config): LlmGatewayOptions {
  return {
    hosts: config.OLLAMA_HOSTS,
    defaultModel: config.OLLAMA_MODEL,
    fallbackModel: config.OLLAMA_FALLBACK_MODEL,
    concurrency: config.OLLAMA_CONCURRENCY,
    maxConcurrency: config.OLLAMA_MAX_CONCURRENCY,
    maxQueue: config.OLLAMA_MAX_QUEUE,
    autoPull: config.OLLAMA_AUTO_PULL,
    firstTokenTimeoutMs: config.OLLAMA_FIRST_TOKEN_TIMEOUT_MS,
    idleTimeoutMs: config.OLLAMA_IDLE_TIMEOUT_MS,
    totalTimeoutMs: config.OLLAMA_TOTAL_TIMEOUT_MS,
  }
}

/** The core's options from the validated configuration (`npm start` and `npm run chat`). */
export function chatCoreOptionsFrom(config: Config): ChatCoreOptions {
  return {
    defaultModel: config.OLLAMA_MODEL,
    fallbackModel: config.OLLAMA_FALLBACK_MODEL,
    freeDailyMessages: config.FREE_DAILY_MESSAGES,
    premiumDailyMessages: config.PREMIUM_DAILY_MESSAGES,
    maxInputChars: config.MAX_INPUT_CHARS,
    freeContextTokens: config.FREE_CONTEXT_TOKENS,
    premiumContextTokens: config.PREMIUM_CONTEXT_TOKENS,
    // The browser console's test chat speaks as `console:web-console`: no quota applies.
    admins: [
      ...withConsoleAdmin(config.ADMINS, config.CONSOLE_ADMIN),
      { platform: 'console', platformUserId: WEB_CONSOLE_USER_ID },
    ],
    paySupportText: config.PAYSUPPORT_TEXT,
    termsUrl: config.TERMS_URL,
    media: {
      maxImageBytes: config.MAX_IMAGE_BYTES,
      maxFileChars: config.MAX_FILE_CHARS,
      imageMessageCost: config.IMAGE_MESSAGE_COST,
      imagesFor: config.IMAGES_FOR,
      visionModel: config.OLLAMA_VISION_MODEL,
    },
    allowedModels: config.ALLOWED_MODELS,
    premiumModels: config.PREMIUM_MODELS,
  }
}

/** The HTTP server's knobs from the configuration. */
export function serverOptionsFrom(config: Pick<Config, 'TRUST_PROXY'>): ServerOptions {
  return { trustProxy: config.TRUST_PROXY }
}
