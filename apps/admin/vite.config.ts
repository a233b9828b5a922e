import { defineConfig } from "vite";

// In development the admin talks to the API through the dev server (same origin, no CORS).
const api = process.env.MKTX_API_URL ?? "http://localhost:5000";

export default defineConfig({
  server: { proxy: { "/trpc": api, "/api": api } },
  preview: { proxy: { "/trpc": api, "/api": api } },
});
