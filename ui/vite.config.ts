/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The UI is served from the Tauri shell's asset protocol in the app and from
// `vite dev` on a fixed port while developing (tauri.conf.json's devUrl points
// at it, so the port must not wander: strictPort).
const DEV_PORT = 1420;

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs, so the built files work from any origin (the Tauri
  // asset protocol, or the static server of the browser test).
  base: './',
  // Keep the Tauri CLI's output visible when both run in one terminal.
  clearScreen: false,
  server: {
    port: DEV_PORT,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The oldest engine we ship on: WebKitGTK 2.50 on Linux (Safari-level
    // features well past 15); WebView2 and WKWebView are newer still.
    target: 'safari15',
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Dates are shown in the local zone: tests pin it, so they pass anywhere.
    env: { TZ: 'UTC' },
  },
});
