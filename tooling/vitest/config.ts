// The shared vitest configuration of every package.
import { defineConfig } from "vitest/config";
import { join } from "node:path";

export function packageConfig(opts: { database?: boolean } = {}) {
  return defineConfig({
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      globalSetup: opts.database ? [join(import.meta.dirname, "global-setup.ts")] : [],
      testTimeout: 20_000,
      hookTimeout: 60_000,
      pool: "forks",
      // two cores: more parallel files only queue on the database
      maxWorkers: 2,
    },
  });
}
