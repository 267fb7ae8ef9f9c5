import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SleuthError } from '@sleuth/core';

/** Where `npm run build -w ui` (run by scripts/install.sh) writes the web UI. */
export const UI_DIST_DIR = fileURLToPath(new URL('../../../../ui/dist/', import.meta.url));

/**
 * The UI's Content-Security-Policy: scripts only from Sleuth itself (no inline script, no eval);
 * inline style attributes are allowed because the chart library positions its cursor and
 * legend with them.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Paths the server answers itself; anything else a browser asks for is a UI view. */
const SERVER_PATHS = /^\/(api|v1|assets|healthz|readyz|metrics)(\/|$)/;

function securityHeaders(reply: FastifyReply): void {
  reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

/**
 * Serves the Svelte single-page app on the API's port: hashed assets under `/assets` (cached for
 * a year), and `index.html` for `/` and every view's URL (`/incidents/inc_…`), so links into the
 * UI can be shared and reloaded. A checkout whose UI was not built answers 503 saying how to build
 * it, rather than a blank page.
 */
export class WebUi {
  readonly built: boolean;

  constructor(private readonly distDir: string = UI_DIST_DIR) {
    this.built = existsSync(distDir + 'index.html');
  }

  /** The route plugin: `/`, and the build's files. */
  routes() {
    return async (app: FastifyInstance): Promise<void> => {
      if (this.built) {
        await app.register(fastifyStatic, {
          root: this.distDir,
          prefix: '/',
          index: false,
          // One wildcard route reading the folder on each request, so a rebuild while the server
          // runs serves the new assets; a path with no file goes to the not-found handler, which
          // serves views.
          wildcard: true,
          // Cache-Control is set below: immutable for hashed assets, revalidated otherwise.
          cacheControl: false,
          setHeaders(reply, path) {
            void reply
              .header('content-security-policy', UI_CSP)
              .header('x-content-type-options', 'nosniff')
              .header(
                'cache-control',
                path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
              );
          },
        });
      }
      app.get('/', (_req, reply) => this.page(reply));
    };
  }

  /** For the not-found handler: a browser's GET of a view's URL gets the app. */
  readonly fallback = (req: FastifyRequest, reply: FastifyReply): false | Promise<FastifyReply> => {
    const path = req.url.split('?')[0] ?? '/';
    const wantsPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
    if (!wantsPage || SERVER_PATHS.test(path)) return false;
    return this.page(reply);
  };

  private async page(reply: FastifyReply): Promise<FastifyReply> {
    if (!this.built) {
      throw new SleuthError(
        'ui_not_built',
        'The web UI is not built in this checkout: run `npm run build -w ui` (scripts/install.sh does it).',
        { statusCode: 503 },
      );
    }
    securityHeaders(reply);
    const body = await readFile(this.distDir + 'index.html');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);
  }
}
