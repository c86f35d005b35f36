# syntax=docker/dockerfile:1
#
# One image for both Custodian services. docker-compose.yml picks the role with `command`:
#   worker: node --import tsx platform/worker/main.ts
#   api:    node --import tsx platform/http/main.ts (the default below)
#
# There is no compile step. The services run the TypeScript sources through tsx, and tsx is a
# runtime dependency in package.json, so `npm ci --omit=dev` installs everything they load. It
# leaves out typescript, eslint and vitest, which only build and test.
#
# Health checks live in docker-compose.yml and not here, because the two roles need different
# checks (HTTP /readyz for the API, task-queue pollers for the worker).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- dependencies: production node_modules, built apart so source edits reuse this layer ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# swagger-ui-dist pulls in @scarf/scarf, whose install script reports the install to a third party.
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

COPY --from=deps /app/node_modules ./node_modules
# The sources stay owned by root: the service user can read them but not change them. tsx keeps its
# transform cache in /tmp, which that user can write.
COPY . .

# `node` (uid 1000) comes with the official image. Its home directory can be written, for tools
# such as npx that `docker compose run` may start.
USER node

EXPOSE 3000

# `node --import tsx` and not `npx tsx`: one process, with no npm or tsx wrapper in between, so
# SIGTERM from `docker stop` reaches the service, which can then drain (compose adds an init
# process that reaps zombies).
CMD ["node", "--import", "tsx", "platform/http/main.ts"]
