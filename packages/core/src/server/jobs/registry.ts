// The typed job registry shared by the API (producer) and the worker (consumer): job name → zod
// payload → queue policy. The worker re-validates every payload it receives.
import { z } from "zod";

/**
 * Seconds without a heartbeat after which pg-boss fails an active job of a queue that sets it (the
 * worker holding it died or lost the database) and retries it. pg-boss's minimum; its workers beat
 * every half of it. The worker supervises every few seconds (WORKER_SUPERVISE_SECONDS) to notice.
 * A job whose outcome could not be written (PostgreSQL went away as it finished) stops beating too,
 * so it is retried seconds after the database is back instead of at its expiry, minutes later.
 */
export const JOB_HEARTBEAT_SECONDS = 10;

/**
 * How long a finished job of a busy queue stays in pg-boss's table (the messages, events and
 * deliveries themselves are the record; a finished job is only there to be looked at). pg-boss
 * deletes them in its maintenance pass (every JOB_MAINTENANCE_SECONDS), so the job table holds
 * about an hour of traffic whatever the volume. Failures are kept longer in the dead-letter queue.
 */
export const FINISHED_JOB_RETENTION_SECONDS = 3600;
/** How often pg-boss's maintenance (the retention deletes) runs. */
export const JOB_MAINTENANCE_SECONDS = 300;

export const JOBS = {
  "webhook.event": {
    payload: z.object({ webhookEventId: z.uuid() }),
    queue: { deleteAfterSeconds: FINISHED_JOB_RETENTION_SECONDS, retryLimit: 8, retryDelay: 1, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 120, heartbeatSeconds: JOB_HEARTBEAT_SECONDS },
  },
  /**
   * One outbound DM through the send pipeline. Transient X failures are retried by the handler's
   * own schedule (it knows X's reset times); the queue's retries only cover crashes and timeouts. A
   * worker that dies mid-send stops its heartbeat, so the job is failed and retried within
   * heartbeatSeconds and one supervise pass; the retry asks X before it sends (never a second copy).
   */
  "message.send": {
    payload: z.object({ messageId: z.uuid() }),
    queue: { deleteAfterSeconds: FINISHED_JOB_RETENTION_SECONDS, retryLimit: 10, retryDelay: 1, retryBackoff: true, retryDelayMax: 180, expireInSeconds: 60, heartbeatSeconds: JOB_HEARTBEAT_SECONDS },
  },
  /** Every few minutes: re-enqueue outbound messages whose job was lost; drop expired counters. */
  "message.sweep": {
    payload: z.object({}).loose(),
    queue: { retryLimit: 1, retryDelay: 30, expireInSeconds: 120 },
    schedule: "*/5 * * * *",
  },
  /**
   * Catch-up after downtime (at worker start and every 15 minutes): each connected account's recent
   * DM history read back from X, every DM the webhook missed stored as its webhook event. One at a
   * time over every worker (exclusive: one queued or active job at most).
   */
  "dm.catchup": {
    payload: z.object({}).loose(),
    queue: { policy: "exclusive", retryLimit: 2, retryDelay: 60, expireInSeconds: 900 },
    schedule: "*/15 * * * *",
  },
  /** Fan-out of one run of a campaign (at its start time), then its dispatch. */
  "campaign.start": {
    payload: z.object({ campaignId: z.uuid(), run: z.number().int().min(1), startAt: z.iso.datetime() }),
    queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, retryDelayMax: 120, expireInSeconds: 600, heartbeatSeconds: JOB_HEARTBEAT_SECONDS },
  },
  /** Turns pending recipients of a running campaign into queued DMs, batch by batch, within the windows. */
  "campaign.dispatch": {
    payload: z.object({ campaignId: z.uuid(), run: z.number().int().min(1) }),
    queue: { deleteAfterSeconds: FINISHED_JOB_RETENTION_SECONDS, retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 120, expireInSeconds: 300, heartbeatSeconds: JOB_HEARTBEAT_SECONDS },
  },
  /** Things that happened, for automation flows to react to (new follower, message received). */
  "domain.event": {
    payload: z.object({
      /** post_reply: a reply on X to a post (a comment), carried as the inbound message of its mention conversation */
      type: z.enum(["new_follower", "message_received", "post_reply"]),
      merchantId: z.string(),
      accountId: z.uuid(),
      contactId: z.uuid(),
      conversationId: z.uuid().optional(),
      /** message_received, post_reply: the inbound message (absent on events queued before it was carried) */
      messageId: z.uuid().optional(),
      /** post_reply: the post the reply answers */
      inReplyToPostId: z.string().optional(),
    }),
    queue: { deleteAfterSeconds: FINISHED_JOB_RETENTION_SECONDS, retryLimit: 5, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60, heartbeatSeconds: JOB_HEARTBEAT_SECONDS },
  },
  /** One node of one automation flow execution; a wait node's successor is enqueued to start later. */
  "flow.step": {
    payload: z.object({ executionId: z.uuid(), nodeId: z.string().min(1) }),
    queue: { deleteAfterSeconds: FINISHED_JOB_RETENTION_SECONDS, retryLimit: 8, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60, heartbeatSeconds: JOB_HEARTBEAT_SECONDS },
  },
  /**
   * One attempt of one outgoing-webhook delivery. The service schedules its own retries (24 h of
   * backoff); the queue's only cover crashes. Run job by job by the worker's dispatcher (not batch
   * workers): up to `maxInFlight` per process, each settling on its own, and at most
   * `perSubscription` jobs of one subscription in flight over all processes (its pg-boss group), so
   * a slow receiver cannot take the slots other merchants' deliveries need.
   */
  "webhook.deliver": {
    payload: z.object({ deliveryId: z.uuid(), subscriptionId: z.uuid() }),
    queue: { deleteAfterSeconds: FINISHED_JOB_RETENTION_SECONDS, retryLimit: 5, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60 },
    /** the payload field naming the job's pg-boss group */
    groupBy: "subscriptionId",
    dispatch: { maxInFlight: 64, perSubscription: 8 },
  },
} as const;

/** pg-boss group of a job (per-group concurrency), for jobs whose registry entry names one. */
export function jobGroup(name: JobName, payload: object): { id: string } | undefined {
  const job = JOBS[name];
  if (!("groupBy" in job)) return undefined;
  const id: unknown = Reflect.get(payload, job.groupBy);
  return typeof id === "string" ? { id } : undefined;
}

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]["payload"]>;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];
export const DEAD_LETTER_QUEUE = "dead-letter";
