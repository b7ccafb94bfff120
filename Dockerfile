# cptrends in a container: the dashboard on port 8080, its database on /data.
#   docker build -t cptrends .
#   docker run -p 8080:8080 -v cptrends-data:/data cptrends

# 1. Front-end assets, from the npm packages pinned in package-lock.json.
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY assets/scss/ assets/scss/
COPY assets/build/ assets/build/
COPY assets/js/ assets/js/
RUN npm run build

# 2. One static binary with the assets embedded.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/assets/vendor/ assets/vendor/
COPY --from=assets /src/assets/server/ assets/server/
RUN CGO_ENABLED=0 go build -trimpath -o /out/cptrends ./cmd/cptrends

# 3. Runtime: Debian slim for wget, which the health check uses.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends wget \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 cptrends \
 && useradd --system --uid 10001 --gid cptrends --home-dir /data --shell /usr/sbin/nologin cptrends \
 && mkdir -p /data \
 && chown cptrends:cptrends /data
COPY --from=build /out/cptrends /usr/local/bin/cptrends

ENV CPTRENDS_DB=/data/cptrends.db
VOLUME /data
WORKDIR /data
USER cptrends:cptrends
EXPOSE 8080

# The check assumes the default port below; change both together. Under a
# sub-path, set it with CPTRENDS_BASE_PATH=/PATH (not --base-path) so the
# check finds /PATH/healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:8080${CPTRENDS_BASE_PATH%/}/healthz"

ENTRYPOINT ["/usr/local/bin/cptrends"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
