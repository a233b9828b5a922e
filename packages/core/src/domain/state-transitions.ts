// Which state may follow which, in one table per lifecycle. Each row is a step the service takes:
// the states it may start from and the states it leads to. The states themselves are the
// contract's lists (contract/*.ts: the API's z.enum and the database's CHECK constraints); the
// services ask this table before they change a state and write the step's `from` into their
// conditional UPDATE, so a step from anywhere else changes nothing. Terminal states lead nowhere.
import type { CampaignStatus } from "../contract/campaigns.ts";
import { CAMPAIGN_RECIPIENT_STATUSES, CAMPAIGN_STATUSES } from "../contract/campaigns.ts";
import { CONVERSATION_STATUSES, type ConversationStatus } from "../contract/conversations.ts";
import { FLOW_EXECUTION_STATUSES, FLOW_STATUSES } from "../contract/flows.ts";
import { MESSAGE_STATUSES } from "../contract/messages.ts";

export interface Step<S extends string> {
  /** where the step may start; empty: it creates the row in its first state */
  readonly from: readonly S[];
  readonly to: readonly S[];
}

type Lifecycle<S extends string> = Readonly<Record<string, Step<S>>>;

type FlowStatus = (typeof FLOW_STATUSES)[number];
type FlowExecutionStatus = (typeof FLOW_EXECUTION_STATUSES)[number];
type MessageStatus = (typeof MESSAGE_STATUSES)[number];
type RecipientStatus = (typeof CAMPAIGN_RECIPIENT_STATUSES)[number];

export const CAMPAIGN_STEPS = {
  create: { from: [], to: ["draft"] },
  /** POST /campaigns/{id}/start: now, or at its startAt */
  start: { from: ["draft"], to: ["running", "scheduled"] },
  /** the start job at startAt (also a retried one) */
  begin: { from: ["scheduled", "running"], to: ["running"] },
  /** by a person, or by the account's revocation (with its reason) */
  pause: { from: ["scheduled", "running"], to: ["paused"] },
  /** a campaign that had begun goes on; one paused before it began waits for its start again */
  resume: { from: ["paused"], to: ["running", "scheduled"] },
  /** every recipient sent, failed or skipped */
  complete: { from: ["running"], to: ["completed"] },
  /** a recurring campaign's run is done: it waits for the next one */
  reschedule: { from: ["running"], to: ["scheduled"] },
  cancel: { from: ["draft", "scheduled", "running", "paused"], to: ["cancelled"] },
} as const satisfies Lifecycle<CampaignStatus>;

export const CAMPAIGN_RECIPIENT_STEPS = {
  fanOut: { from: [], to: ["pending", "skipped"] },
  dispatch: { from: ["pending"], to: ["queued", "failed"] },
  /** X accepted the DM (its answer, or its echo) */
  sent: { from: ["queued", "failed"], to: ["sent"] },
  fail: { from: ["queued"], to: ["failed"] },
  /** the send pipeline found the contact opted out or without consent: skipped; a DM withdrawn before it went out: pending again */
  withdraw: { from: ["queued"], to: ["skipped", "pending"] },
  /** the campaign ended or was cancelled before its turn */
  skip: { from: ["pending"], to: ["skipped"] },
} as const satisfies Lifecycle<RecipientStatus>;

export const MESSAGE_STEPS = {
  receive: { from: [], to: ["received"] },
  queue: { from: [], to: ["queued"] },
  /** the send lease; a lease that ran out (its worker died) is taken again */
  claim: { from: ["queued", "sending"], to: ["sending"] },
  /** X surely has nothing yet (a full window, a 429): back in the queue */
  defer: { from: ["sending"], to: ["queued"] },
  /** X's answer, or X's echo of the DM: what X holds is the truth, even after we gave up */
  accept: { from: ["queued", "sending", "failed"], to: ["sent"] },
  fail: { from: ["queued", "sending"], to: ["failed"] },
} as const satisfies Lifecycle<MessageStatus>;

export const CONVERSATION_STEPS = {
  open: { from: [], to: ["open"] },
  close: { from: ["open"], to: ["closed"] },
  reopen: { from: ["closed"], to: ["open"] },
} as const satisfies Lifecycle<ConversationStatus>;

export const FLOW_STEPS = {
  create: { from: [], to: ["draft"] },
  activate: { from: ["draft", "inactive"], to: ["active"] },
  /** by a person, or by the account's revocation (with its reason) */
  deactivate: { from: ["active"], to: ["inactive"] },
} as const satisfies Lifecycle<FlowStatus>;

export const FLOW_EXECUTION_STEPS = {
  start: { from: [], to: ["running"] },
  complete: { from: ["running"], to: ["completed"] },
  fail: { from: ["running"], to: ["failed"] },
  /** its flow was deactivated */
  cancel: { from: ["running"], to: ["cancelled"] },
} as const satisfies Lifecycle<FlowExecutionStatus>;

/** Every lifecycle with the contract's list of its states. */
export const LIFECYCLES = {
  campaign: { states: CAMPAIGN_STATUSES, steps: CAMPAIGN_STEPS },
  campaignRecipient: { states: CAMPAIGN_RECIPIENT_STATUSES, steps: CAMPAIGN_RECIPIENT_STEPS },
  message: { states: MESSAGE_STATUSES, steps: MESSAGE_STEPS },
  conversation: { states: CONVERSATION_STATUSES, steps: CONVERSATION_STEPS },
  flow: { states: FLOW_STATUSES, steps: FLOW_STEPS },
  flowExecution: { states: FLOW_EXECUTION_STATUSES, steps: FLOW_EXECUTION_STEPS },
} as const;

/** May the step start from this state? */
export const mayTake = <S extends string>(step: Step<S>, from: string): from is S => (step.from as readonly string[]).includes(from);

/** The states that may follow each state: the steps' edges, for reading and for tests. */
export function transitionsOf<S extends string>(steps: Lifecycle<S>): Map<S, Set<S>> {
  const edges = new Map<S, Set<S>>();
  for (const step of Object.values(steps)) {
    for (const from of step.from) {
      const next = edges.get(from) ?? new Set<S>();
      for (const to of step.to) next.add(to);
      edges.set(from, next);
    }
  }
  return edges;
}
