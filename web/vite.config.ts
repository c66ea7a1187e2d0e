import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * `vite build web` writes web/dist, which the lab server serves at `/`.
 * The app imports wire types and clients from ../src and chart configurations
 * from ../bench/report, so the dev server must be allowed to read the repo.
 * `vite web` (dev) forwards the API to a server started with `npm start`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: process.env.LAB_URL ?? 'http://127.0.0.1:3000', changeOrigin: false },
      '/ws': { target: process.env.LAB_URL ?? 'http://127.0.0.1:3000', ws: true },
    },
  },
});
