// Component tests (jsdom, Testing Library) and browser tests (Chromium against the built stack).
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import { join } from "node:path";

export default defineConfig({
  plugins: [react()],
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "components", include: ["test/**/*.test.tsx"], environment: "jsdom", setupFiles: ["test/setup.ts"] } },
      { extends: true, test: { name: "browser", include: ["e2e/**/*.e2e.test.ts"], environment: "node", globalSetup: [join(import.meta.dirname, "../../tooling/vitest/global-setup.ts")], maxWorkers: 1 } },
    ],
  },
});
