// Builds the browser code into the Django app's static files, under fixed names, so that the
// templates can say {% static 'editor/editor.js' %} without reading a manifest.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const outDir = fileURLToPath(new URL('../documents/static/editor/', import.meta.url))

export default defineConfig({
  // The pages are served by Django under STATIC_URL; chunks are found relative to the entry.
  base: './',
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // Source maps publish the editor's source with it: only when asked for
    // (EDITOR_SOURCEMAP=1 npm run build), never in the bundle `make run` and the image serve.
    sourcemap: process.env.EDITOR_SOURCEMAP === '1',
    // The editor is one page that loads everything; a single chunk loads fastest.
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      input: {
        editor: fileURLToPath(new URL('./src/editor/main.ts', import.meta.url)),
        list: fileURLToPath(new URL('./src/list/main.ts', import.meta.url)),
      },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name].js',
        assetFileNames: '[name][extname]',
      },
    },
  },
})
