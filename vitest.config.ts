import { defineConfig } from 'vitest/config'

// The config is evaluated once per project: say it once per run.
if (!process.env.TEST_DATABASE_URL && !process.env.JUSTLAYME_PG_SKIP_SAID) {
  process.env.JUSTLAYME_PG_SKIP_SAID = '1'
  console.log(
    'PostgreSQL tests skipped: TEST_DATABASE_URL is not set. Run them with ' +
      'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test',
  )
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
        },
      },
    ],
  },
})
