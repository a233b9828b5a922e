// `pnpm eval:ai [--split dev|test|all] [--misses] [--check] [--set <file.jsonl>]`
// Scores the embedded NLU on the labelled evaluation set (packages/core/eval/ai-eval.jsonl): accuracy
// per intent and overall, slot accuracy (the order id apart) and the confusion matrix. With --check
// it exits 1 when the figures fall below the targets (≥ 92 % intents, ≥ 95 % order ids) on every
// split printed. While tuning, look at `--split dev --misses` only; the test split is held out.
import { parseArgs } from "node:util";
// straight from the module: core's server entry takes seconds to load
import { checkTargets, EVAL_SET_PATH, evaluateNlu, formatReport, loadEvalSet, type EvalSplit } from "../packages/core/src/server/services/ai/evaluate-nlu.ts";

const { values } = parseArgs({
  options: {
    split: { type: "string" },
    misses: { type: "boolean", default: false },
    check: { type: "boolean", default: false },
    set: { type: "string", default: EVAL_SET_PATH },
  },
});
const splits: EvalSplit[] = values.split ? [values.split as EvalSplit] : ["dev", "test", "all"];
if (!splits.every((s) => ["dev", "test", "all"].includes(s))) {
  console.error("--split must be dev, test or all");
  process.exit(2);
}
const set = loadEvalSet(values.set);
let failed = false;
for (const split of splits) {
  const result = evaluateNlu(set, split);
  console.log(formatReport(result, { misses: values.misses }));
  const failures = checkTargets(result);
  console.log(failures.length === 0 ? `targets met (${split})` : `BELOW TARGET (${split}): ${failures.join("; ")}`);
  console.log("");
  if (failures.length > 0) failed = true;
}
if (values.check && failed) process.exit(1);
