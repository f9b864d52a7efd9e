import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/core/errors.js'
import {
  errorKind,
  isConnectionFailure,
  isRetryable,
  LlmTimeoutError,
  OllamaConnectionError,
  OllamaResponseError,
  OllamaStreamError,
} from '../../../src/llm/errors.js'
import { canonicalModel, sameModel } from '../../../src/llm/model-name.js'
import { pullCommand } from '../../../src/llm/model-setup.js'
import { contextLengthOf } from '../../../src/llm/ollama-wire.js'
import { redactHost } from '../../../src/llm/redact-host.js'

describe('LLM error classification', () => {
  it('maps Ollama statuses to error codes', () => {
    expect(new OllamaResponseError('h', 'm', 404, "model 'm' not found").code).toBe('MODEL_MISSING')
    expect(new OllamaResponseError('h', 'm', 503, 'server busy').code).toBe('LLM_BUSY')
    expect(new OllamaResponseError('h', 'm', 500, 'boom').code).toBe('LLM_UNAVAILABLE')
    expect(new OllamaResponseError('h', 'm', 400, 'bad').code).toBe('INTERNAL')
  })

  it('retries connection failures, 5xx, 503 and stream errors only', () => {
    expect(isRetryable(new OllamaConnectionError('h', 'm'))).toBe(true)
    expect(isRetryable(new OllamaResponseError('h', 'm', 500, 'x'))).toBe(true)
    expect(isRetryable(new OllamaResponseError('h', 'm', 503, 'x'))).toBe(true)
    expect(isRetryable(new OllamaStreamError('h', 'm', 'x'))).toBe(true)
    expect(isRetryable(new OllamaResponseError('h', 'm', 404, 'not found'))).toBe(false)
    expect(isRetryable(new LlmTimeoutError('h', 'm', 'first_token', 1000))).toBe(false)
    expect(isRetryable(new AppError('CANCELLED', 'x'))).toBe(false)
  })

  it('names the kind of each failure for logs and metrics', () => {
    expect(errorKind(new LlmTimeoutError('h', 'm', 'idle', 1000))).toBe('idle_timeout')
    expect(errorKind(new AppError('LLM_BUSY', 'full'))).toBe('queue_full')
    expect(errorKind(new Error('?'))).toBe('internal')
  })

  it('recognises fetch connection failures but not HTTP answers', () => {
    const refused = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
    const answered = Object.assign(new Error('not found'), { name: 'ResponseError' })
    expect(isConnectionFailure(refused)).toBe(true)
    expect(isConnectionFailure(answered)).toBe(false)
  })
})

describe('LLM helpers', () => {
  it('treats a model without a tag as :latest', () => {
    expect(canonicalModel('llama3.2')).toBe('llama3.2:latest')
    expect(sameModel('llama3.2', 'llama3.2:latest')).toBe(true)
    expect(sameModel('llama3.2:1b', 'llama3.2')).toBe(false)
  })

  it('reads <arch>.context_length from model_info', () => {
    expect(
      contextLengthOf({ 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 }),
    ).toBe(32768)
    expect(contextLengthOf({ 'gemma3.context_length': 8192 })).toBe(8192)
    expect(contextLengthOf(undefined)).toBeNull()
  })

  it('gives the exact pull command for local and remote hosts', () => {
    expect(pullCommand('http://127.0.0.1:11434', 'llama3.2')).toBe('ollama pull llama3.2')
    expect(pullCommand('http://gpu2:11434', 'llama3.2')).toBe(
      'OLLAMA_HOST=http://gpu2:11434 ollama pull llama3.2',
    )
  })

  it('keeps credentials out of host names', () => {
    expect(redactHost('http://user:secret@gpu2:11434/')).toBe('http://gpu2:11434')
  })
})
