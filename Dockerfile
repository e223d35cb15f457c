# Clarion: API + dashboard (`clarion serve`) on Node 20. Build: docker build -t clarion .
# Run:  docker run -p 8080:8080 -v clarion-data:/data -e AZURE_CLIENT_ID=... clarion
# Stages: deps (production node_modules only), web (builds the dashboard with the dev tools), runtime.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 falls back to a source build when no prebuilt binary matches
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim AS web
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY web ./web
RUN node --import tsx/esm --input-type=module \
      -e "const m = await import('./src/server/web-build.ts'); await m.ensureDashboard({ force: true, quiet: true });"

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    CLARION_DB=/data/clarion.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY packs ./packs
COPY frameworks ./frameworks
COPY schemas ./schemas
COPY --from=web /app/web/dist ./web/dist
COPY deploy/azure/docker-entrypoint.sh /usr/local/bin/clarion-entrypoint
RUN chmod 0755 /usr/local/bin/clarion-entrypoint \
    && ln -s /app/bin/clarion.mjs /usr/local/bin/clarion \
    && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/local/bin/clarion-entrypoint"]
CMD ["serve"]
