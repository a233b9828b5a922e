import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development the admin talks to the API through the dev server (same origin, no CORS).
const api = process.env.MKTX_API_URL ?? "http://localhost:5000";
const proxy = Object.fromEntries(["/trpc", "/api", "/r/", "/health", "/ready"].map((p) => [p, { target: api, changeOrigin: false }]));

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  // the manifest lets the bundle test add up what each route loads
  build: { sourcemap: true, chunkSizeWarningLimit: 900, manifest: true },
});
