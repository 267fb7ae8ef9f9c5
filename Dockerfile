# Sleuth server image. better-sqlite3 builds from source (python3, make, g++ are in the image).
FROM node:20-bookworm
WORKDIR /app
COPY package.json package-lock.json ./
COPY services ./services
COPY collectors ./collectors
COPY ui ./ui
COPY prompts ./prompts
COPY bin ./bin
RUN npm ci --omit=dev --no-audit --no-fund
ENV SLEUTH_SERVER_HOST=0.0.0.0 SLEUTH_STORE_DATA_DIR=/data
# The store runs as `node`: its folder must be writable by it before the volume mounts.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 7070
USER node
CMD ["node", "bin/sleuth.mjs", "serve"]
