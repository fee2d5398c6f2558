/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the API (DASHBOARD_API, default the demo's http://127.0.0.1:8000), so the
// app always calls its own origin: no CORS, and the same paths as behind Nginx.
const api = process.env.DASHBOARD_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  // Relative asset paths: the same build works at / (local server) and /dashboard/ (Nginx).
  base: "./",
  plugins: [react()],
  server: { proxy: { "/api": { target: api, changeOrigin: false } } },
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 1024 },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
