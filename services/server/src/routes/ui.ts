import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '@sleuth/core';

const PUBLIC_DIR = fileURLToPath(new URL('../../../../ui/public/', import.meta.url));
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/ui/app.js': 'app.js',
  '/ui/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** Serves the web UI. Until the Svelte app lands (issue 9) this is a small status page. */
export function uiRoutes() {
  return function register(app: FastifyInstance): void {
    for (const [route, file] of Object.entries(FILES)) {
      app.get(route, async (_req, reply) => {
        let body: Buffer;
        try {
          body = await readFile(PUBLIC_DIR + file);
        } catch {
          throw new NotFoundError(`UI file ${file} is missing from ui/public`);
        }
        const ext = file.split('.').pop() ?? 'html';
        return reply
          .type(TYPES[ext] ?? 'application/octet-stream')
          .header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'")
          .header('x-content-type-options', 'nosniff')
          .send(body);
      });
    }
  };
}
