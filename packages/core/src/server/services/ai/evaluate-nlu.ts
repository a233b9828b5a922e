// The embedded NLU measured on a labelled evaluation set (packages/core/eval/ai-eval.jsonl):
// accuracy per intent, overall, slots (the order id apart) and the confusion matrix. The set is
// written by people, apart from the NLU's rules; `split` keeps a held-out part that tuning never
// looks at (see packages/core/eval/README.md).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { AI_INTENTS, type AiIntent, type AiSlots } from "../../../contract/ai.ts";
import { understandOffline } from "./embedded-nlu.ts";

export const EVAL_SET_PATH = fileURLToPath(new URL("../../../../eval/ai-eval.jsonl", import.meta.url));

/** What `pnpm eval:ai --check` and the eval test hold the NLU to. */
export const EVAL_TARGETS = { intentAccuracy: 0.92, orderIdAccuracy: 0.95 } as const;

/** The slots the embedded NLU reads from a message; `product` comes from the catalog, not from here. */
export const EVAL_SLOTS = ["orderId", "email", "size", "color", "quantity"] as const;
type EvalSlot = (typeof EVAL_SLOTS)[number];

const EvalCase = z
  .object({
    id: z.string().min(1),
    split: z.enum(["dev", "test"]),
    text: z.string().min(1),
    intent: z.enum(AI_INTENTS),
    slots: z.partialRecord(z.enum(EVAL_SLOTS), z.string().min(1)),
  })
  .strict();
export type EvalCase = z.infer<typeof EvalCase>;
export type EvalSplit = EvalCase["split"] | "all";

/** The set, every line checked: a malformed line or a repeated id is an error, not a skipped case. */
export function loadEvalSet(path: string = EVAL_SET_PATH): EvalCase[] {
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  readFileSync(path, "utf8").split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const parsed = EvalCase.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
    if (ids.has(parsed.data.id)) throw new Error(`${path}:${i + 1}: id ${parsed.data.id} repeated`);
    ids.add(parsed.data.id);
    cases.push(parsed.data);
  });
  return cases;
}

// Compared as a person reads them: order ids and sizes without regard to case, emails lower case.
const canonical = (slot: EvalSlot, value: string | undefined) => (value === undefined ? undefined : slot === "email" || slot === "color" ? value.trim().toLowerCase() : value.trim().toUpperCase());

export interface Ratio {
  correct: number;
  total: number;
  /** correct / total; 1 when there is nothing to score */
  accuracy: number;
}
const ratio = (correct: number, total: number): Ratio => ({ correct, total, accuracy: total === 0 ? 1 : correct / total });

export interface EvalMiss {
  id: string;
  text: string;
  expected: { intent: AiIntent; slots: Partial<Record<EvalSlot, string>> };
  actual: { intent: string; slots: AiSlots };
}

export interface EvalResult {
  split: EvalSplit;
  cases: number;
  intent: Ratio;
  perIntent: Record<string, Ratio>;
  /** every slot a label or the NLU names, per message: a slot missed, wrong or made up is wrong */
  slots: Ratio;
  perSlot: Record<EvalSlot, Ratio>;
  /** the order-id slot alone, over the messages that have one or where the NLU found one */
  orderId: Ratio;
  /** confusion[expected][actual] = count */
  confusion: Record<string, Record<string, number>>;
  misses: EvalMiss[];
}

export function evaluateNlu(all: EvalCase[], split: EvalSplit = "all"): EvalResult {
  const cases = split === "all" ? all : all.filter((c) => c.split === split);
  const confusion: Record<string, Record<string, number>> = {};
  const intentHits = new Map<string, { correct: number; total: number }>();
  const slotHits = new Map<EvalSlot, { correct: number; total: number }>(EVAL_SLOTS.map((s) => [s, { correct: 0, total: 0 }]));
  const misses: EvalMiss[] = [];
  let intentCorrect = 0;
  for (const c of cases) {
    const r = understandOffline({ messages: [{ role: "user", content: c.text }], knownSlots: {} });
    const row = (confusion[c.intent] ??= {});
    row[r.intent] = (row[r.intent] ?? 0) + 1;
    const hits = intentHits.get(c.intent) ?? { correct: 0, total: 0 };
    hits.total++;
    let ok = r.intent === c.intent;
    if (ok) {
      hits.correct++;
      intentCorrect++;
    }
    intentHits.set(c.intent, hits);
    for (const slot of EVAL_SLOTS) {
      const expected = canonical(slot, c.slots[slot]);
      const actual = canonical(slot, r.slots[slot]);
      if (expected === undefined && actual === undefined) continue;
      const s = slotHits.get(slot);
      if (!s) continue;
      s.total++;
      if (expected === actual) s.correct++;
      else ok = false;
    }
    if (!ok) {
      const actualSlots: AiSlots = {};
      for (const slot of EVAL_SLOTS) if (r.slots[slot] !== undefined) actualSlots[slot] = r.slots[slot];
      misses.push({ id: c.id, text: c.text, expected: { intent: c.intent, slots: c.slots }, actual: { intent: r.intent, slots: actualSlots } });
    }
  }
  const perSlot = Object.fromEntries(EVAL_SLOTS.map((s) => [s, ratio(slotHits.get(s)?.correct ?? 0, slotHits.get(s)?.total ?? 0)])) as Record<EvalSlot, Ratio>;
  const slotTotals = [...slotHits.values()].reduce((a, s) => ({ correct: a.correct + s.correct, total: a.total + s.total }), { correct: 0, total: 0 });
  return {
    split,
    cases: cases.length,
    intent: ratio(intentCorrect, cases.length),
    perIntent: Object.fromEntries(AI_INTENTS.filter((i) => intentHits.has(i)).map((i) => [i, ratio(intentHits.get(i)?.correct ?? 0, intentHits.get(i)?.total ?? 0)])),
    slots: ratio(slotTotals.correct, slotTotals.total),
    perSlot,
    orderId: perSlot.orderId,
    confusion,
    misses,
  };
}

/** Whether a result meets EVAL_TARGETS, and which figure falls short. */
export function checkTargets(r: EvalResult): string[] {
  const failures: string[] = [];
  if (r.intent.accuracy < EVAL_TARGETS.intentAccuracy) failures.push(`intent accuracy ${pct(r.intent.accuracy)} < ${pct(EVAL_TARGETS.intentAccuracy)}`);
  if (r.orderId.accuracy < EVAL_TARGETS.orderIdAccuracy) failures.push(`order-id slot accuracy ${pct(r.orderId.accuracy)} < ${pct(EVAL_TARGETS.orderIdAccuracy)}`);
  return failures;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const fmt = (r: Ratio) => `${pct(r.accuracy).padStart(7)}  (${r.correct}/${r.total})`;

// Short column heads for the confusion matrix: the intents' initials (order_status_query → osq),
// with the two "p…q" intents told apart.
const SHORT: Record<string, string> = { pricing_query: "prq", promotion_query: "pmq" };
const short = (intent: string) => SHORT[intent] ?? intent.split("_").map((p) => p[0]).join("");

/** The report `pnpm eval:ai` prints. */
export function formatReport(r: EvalResult, opts: { misses?: boolean } = {}): string {
  const lines: string[] = [`split: ${r.split} (${r.cases} messages)`, "", "intent accuracy per intent:"];
  for (const [intent, x] of Object.entries(r.perIntent)) lines.push(`  ${intent.padEnd(22)}${fmt(x)}`);
  lines.push("", `overall intent accuracy   ${fmt(r.intent)}`, `slot accuracy             ${fmt(r.slots)}`);
  for (const [slot, x] of Object.entries(r.perSlot)) lines.push(`  ${slot.padEnd(24)}${fmt(x)}`);
  lines.push(`order-id slot accuracy    ${fmt(r.orderId)}`, "", "confusion matrix (rows: expected, columns: answered):");
  const intents = AI_INTENTS.filter((i) => r.perIntent[i] || Object.values(r.confusion).some((row) => row[i]));
  lines.push(`  ${"".padEnd(22)}${intents.map((i) => short(i).padStart(5)).join("")}`);
  for (const expected of intents) {
    const row = r.confusion[expected] ?? {};
    lines.push(`  ${expected.padEnd(22)}${intents.map((i) => String(row[i] ?? (expected === i ? 0 : ".")).padStart(5)).join("")}`);
  }
  lines.push(`  (${intents.map((i) => `${short(i)} = ${i}`).join(", ")})`);
  if (opts.misses && r.misses.length > 0) {
    lines.push("", "misses:");
    for (const m of r.misses) lines.push(`  ${m.id}: ${JSON.stringify(m.text)} expected ${m.expected.intent} ${JSON.stringify(m.expected.slots)}, got ${m.actual.intent} ${JSON.stringify(m.actual.slots)}`);
  }
  return lines.join("\n");
}
