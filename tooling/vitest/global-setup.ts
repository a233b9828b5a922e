// Vitest global setup for every package that touches PostgreSQL: one migrated template database
// (with the pg-boss schema and queues installed) per test run; each test file clones it.
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { setupTestTemplate } from "@mkt-x/db/testing";
import { createPgBoss, ensureQueues } from "@mkt-x/core/server";

/// <reference path="./provided-context.d.ts" />
export default async function setup(project: TestProject) {
  const tpl = await setupTestTemplate({
    rootDir: join(import.meta.dirname, "..", ".."),
    prepare: async (url) => {
      const boss = createPgBoss(url, { max: 1 });
      await boss.start();
      await ensureQueues(boss);
      await boss.stop({ graceful: false, close: true });
    },
  });
  project.provide("dbTemplate", { adminUrl: tpl.adminUrl, template: tpl.template });
  return tpl.teardown;
}
