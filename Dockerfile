# Keyline: production image. Node 24 LTS, production dependencies only, non-root.
FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    KEYLINE_HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app

COPY package.json package-lock.json .npmrc ./
# Exactly the committed lockfile, production packages only.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY config ./config
COPY src ./src
COPY views ./views
COPY locales ./locales
COPY assets ./assets
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "src/main.ts"]
