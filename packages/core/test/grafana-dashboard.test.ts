// The Grafana dashboard in ops/grafana reads only metrics the service registers (a renamed metric
// would leave a panel silently empty), and every metric of the service has a panel.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createMetrics } from "../src/server/metrics/metrics.ts";

const DASHBOARD = join(import.meta.dirname, "..", "..", "..", "ops", "grafana", "mkt-x.json");

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/** The series names an expression reads: identifiers that are not functions, keywords or label names. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "") // label lists
    .replace(/(?<![\w:])\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, "0"); // numbers
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const after = stripped.slice((m.index ?? 0) + m[0].length).trimStart();
    if (after.startsWith("(")) continue; // a function
    if (["bool", "offset", "and", "or", "unless"].includes(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}

describe("the Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: Panel[]; title: string };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
  const registry = createMetrics({ service: "api" }).registry;

  it("is a dashboard with panels that query", () => {
    expect(dashboard.title).toBe("mkt-x");
    expect(exprs.length).toBeGreaterThan(15);
  });

  it("reads only metric names the service registers (histograms through _bucket, _count and _sum)", async () => {
    const registered = new Set<string>();
    for (const metric of await registry.getMetricsAsJSON()) {
      registered.add(metric.name);
      if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_count", "_sum"]) registered.add(metric.name + suffix);
    }
    const unknown = exprs.flatMap(({ panel, expr }) => metricNamesIn(expr).filter((n) => !registered.has(n)).map((n) => `${panel}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it("has a panel for every metric of the service", async () => {
    const read = new Set(exprs.flatMap(({ expr }) => metricNamesIn(expr)).map((n) => n.replace(/_(bucket|count|sum)$/, "")));
    const ours = (await registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith("mktx_"));
    expect(ours.filter((n) => !read.has(n))).toEqual([]);
  });

  it("finds the names in an expression, not its functions, labels or numbers", () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, route) (rate(mktx_http_request_duration_seconds_bucket{service="api"}[5m])))')).toEqual(["mktx_http_request_duration_seconds_bucket"]);
    expect(metricNamesIn("sum(rate(a_total[1m])) / clamp_min(sum(rate(b_total[1m])), 1e-9)")).toEqual(["a_total", "b_total"]);
    expect(metricNamesIn("no_such_metric")).toEqual(["no_such_metric"]);
  });
});
