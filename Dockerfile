# JustLayMe container: docker compose up (see compose.yaml and the README, "Run with Docker").
# tests/e2e/production-install.test.ts runs the same steps as the runtime stage (production
# install into a clean directory, start as a non-root user with /data paths, live check):
# change both together.

# ---- build: full install (compiles better-sqlite3 when no prebuilt binary fits) and dist/ ----
FROM node:22-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bots ./bots
COPY commands ./commands
COPY migrations ./migrations
# The prepare script compiles the TypeScript into dist/ once, here.
RUN npm ci --no-audit --no-fund

# ---- runtime: production dependencies, built JavaScript, non-root, data in /data ----
FROM node:22-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=/data/justlayme.sqlite \
    PERSONAS_DIR=/data/personas \
    BACKUP_DIR=/data/backups
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
# Production dependencies only (no TypeScript, tsx or pino-pretty); install scripts are skipped
# because the one native module, better-sqlite3, was already built in the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build
# A fresh named volume starts with the bundled personas; a bind mount brings its own.
COPY --chown=node:node personas /data/personas
RUN mkdir -p /data/backups && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# SIGTERM starts the drain (SHUTDOWN_GRACE_MS, default 30 s): give the container a longer stop
# timeout (compose.yaml: stop_grace_period: 45s; docker run --stop-timeout 45).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
