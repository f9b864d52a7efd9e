import { Api } from 'grammy'
import { TelegramFiles } from '../bots/telegram/telegram-files.js'
import { DEFAULT_MEDIA_OPTIONS } from '../src/core/attachments/attachment.js'
import { prepareAttachments } from '../src/core/attachments/prepare-attachments.js'
import { TelegramApiDouble } from '../tests/doubles/telegram-double.js'
import { pngBytes } from '../tests/helpers/media-bytes.js'
import { type BenchResult, percentile } from './types.js'

const silent = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  child() {
    return silent
  },
}

/**
 * The cost of a picture turn outside the model: `getFile` and the download from the Bot API
 * double, the size and magic-byte checks, and the base64 the Ollama request carries. Then
 * whether memory stays flat over 500 such turns (no picture bytes retained).
 */
export async function run(): Promise<BenchResult[]> {
  const telegram = await TelegramApiDouble.start()
  try {
    const files = new TelegramFiles(new Api(telegram.token, { apiRoot: telegram.apiRoot }), {
      token: telegram.token,
      apiRoot: telegram.apiRoot,
    })
    const image = pngBytes(2 * 1024 * 1024)
    const { file_id } = telegram.files.add(image, 'photos', 'jpg')
    const turn = async () => {
      const prepared = await prepareAttachments(
        [
          {
            name: 'photo.jpg',
            kind: 'photo',
            declaredBytes: image.byteLength,
            fetch: (limit, signal) => files.download(file_id, limit, signal),
          },
        ],
        DEFAULT_MEDIA_OPTIONS,
        new AbortController().signal,
        silent as never,
      )
      return prepared.images.map((b) => Buffer.from(b).toString('base64').length)
    }
    for (let i = 0; i < 10; i++) await turn()
    const samples: number[] = []
    for (let i = 0; i < 100; i++) {
      const start = performance.now()
      await turn()
      samples.push(performance.now() - start)
    }
    const gc = (globalThis as { gc?: () => void }).gc
    const used = () => {
      gc?.()
      gc?.()
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    // Warm up to a steady state (socket pools, allocator), then measure 500 more turns.
    for (let i = 0; i < 100; i++) await turn()
    const before = used()
    for (let i = 0; i < 500; i++) await turn()
    const growthMb = (used() - before) / (1024 * 1024)
    const p50 = percentile(samples, 50)
    return [
      {
        name: 'media: 2 MB picture turn without the model (download, checks, base64) p50',
        value: p50,
        unit: 'ms',
        target: '< 30 ms',
        pass: p50 < 30,
      },
      {
        name: `media: memory growth over 500 picture turns${gc ? '' : ' (no --expose-gc)'}`,
        value: growthMb,
        unit: 'MB',
        target: '< 20 MB',
        pass: growthMb < 20,
      },
    ]
  } finally {
    await telegram.close()
  }
}
