import type { Destination } from "../deliver/sink.ts";
import type { RevisionKind } from "../domain.ts";
import type { Reservation } from "../quota/quotas.ts";

/** What a worker needs to write one article; the request itself is in the Generation row. */
export interface ArticleJob {
  generationId: string;
  /** Null when no quota was reserved (a console playground run as an admin). */
  reservation: Reservation | null;
  destination: Destination;
  /** Notes from parsing for the person ("capped at your tier's 800 words"), shown with the draft. */
  notes?: string[];
  /** Set for a revision of an existing draft: what it does (the instruction is in the row). */
  revision?: { kind: RevisionKind };
}

export interface JobContext {
  /** 1 on the first run; more when a worker died or the handler threw. */
  attempt: number;
  /** True when no further attempt will follow if this one throws. */
  finalAttempt: boolean;
}

export type JobHandler = (job: ArticleJob, ctx: JobContext) => Promise<void>;

/** Called once when a job will not run again: its last attempt threw, or it stalled too often. */
export type ExhaustedHandler = (job: ArticleJob, error: Error) => Promise<void>;

export interface ProcessOptions {
  concurrency: number;
  onExhausted: ExhaustedHandler;
  /**
   * Called once before the first job runs with every job an earlier process left unfinished
   * (queued or in flight), where the queue can know them (the database queue). The pipeline
   * uses it to count their reservations again when in-flight quota counts lived in memory.
   */
  onRecover?: (jobs: ArticleJob[]) => Promise<void>;
}

/**
 * The article queue: BullMQ on Redis in production, a table in the database when there is no
 * Redis (the embedded profile); both durable, both survive a worker's death. The job id is the generation id, so the same
 * generation is never queued twice. A handler that throws is retried with backoff; the
 * pipeline handles expected failures itself and throws only for the unexpected.
 */
export interface JobQueue {
  readonly kind: "bullmq" | "database";
  enqueue(job: ArticleJob): Promise<void>;
  /** Starts consuming in this process. */
  process(handler: JobHandler, opts: ProcessOptions): void;
  /** Jobs waiting (not yet started), for the queue-depth metric. */
  depth(): Promise<number>;
  /** Stops taking jobs and waits for the ones running here to finish. */
  close(): Promise<void>;
}

export const JOB_ATTEMPTS = 3;
export const BACKOFF_MS = 2_000;
