# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production dependencies only, as non-root.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
# Metrics, /healthz and /readyz.
EXPOSE 9464
ENV FRAMEPIPE_METRICS_PORT=9464 FRAMEPIPE_METRICS_HOST=0.0.0.0
# Node flags: src/shared/node-flags.ts.
ENTRYPOINT ["node", "--initial-old-space-size=128", "bin/framepipe.js"]
CMD ["work"]
