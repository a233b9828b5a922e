// The shared vitest configuration of every package.
import { defineConfig } from "vitest/config";
import { join } from "node:path";

export function packageConfig(opts: { database?: boolean } = {}) {
  return defineConfig({
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      globalSetup: opts.database ? [join(import.meta.dirname, "global-setup.ts")] : [],
      // generous: a loaded 2-core machine runs the heavier integration tests several times slower
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: "forks",
      // two cores: more parallel files only queue on the database
      maxWorkers: 2,
    },
  });
}
