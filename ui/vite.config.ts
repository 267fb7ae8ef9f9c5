import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/** Where `npm run dev -w ui` sends API calls: a `sleuth serve` on its default port. */
const API = process.env.SLEUTH_API ?? 'http://127.0.0.1:7070';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server sends a strict CSP: no inline scripts, so no inlined module preload polyfill.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': { target: API, changeOrigin: false } },
  },
});
