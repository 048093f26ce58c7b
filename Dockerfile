# syntax=docker/dockerfile:1
# The ocmadm runtime image (`init --runtime cluster`, `join --runtime cluster`): the hub controller
# and the klusterlet agent, started by the Deployments' `command` (IMAGE_COMMAND in
# src/install/hub/constants.ts, KLUSTERLET.command in src/install/klusterlet/klusterlet.ts):
#   node /app/dist/runtime/hub/main.js        node /app/dist/runtime/klusterlet/main.js
# Build: docker build -t ghcr.io/ocmadm/ocmadm:v$(node -p "require('./package.json').version") .

ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Build: all dependencies (dev included: TypeScript), compile src/ to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the only ones are the `node` devDependency (a second Node binary, not
# needed here) and @swc/core (tests only).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# What `npm run build` runs, without npm's script machinery (and the skipped `node` package).
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# 2. Runtime: production dependencies only, the compiled code and what it reads at run time
# (package.json for the version, CRD manifests, templates), owned by root and run as non-root.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY manifests ./manifests
COPY src/templates ./src/templates
COPY bin ./bin
# Numeric, so the kubelet can verify runAsNonRoot; the same uid the Deployments' securityContext asks for.
USER 65532:65532
LABEL org.opencontainers.image.title="ocmadm" \
      org.opencontainers.image.description="Open Cluster Management hub controller and klusterlet agent (ocmadm runtimes)" \
      org.opencontainers.image.licenses="Apache-2.0"
# The Deployments always set `command`; without one the image runs the hub controller.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=100", "/app/dist/runtime/hub/main.js"]
