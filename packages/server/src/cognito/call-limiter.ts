// A bound on the Cognito calls one API process has in flight. A burst of requests waits its turn
// here, first come first served, instead of piling onto Cognito: there the calls would queue all
// the same, but inside their deadlines (client.ts, identity.ts), and time out together; and real
// Cognito counts requests per second against per-operation quotas (AdminCreateUser and the other
// user-creation operations: tens per second by default), so a burst sent at once is throttled.
//
// The deadline of a call starts when it is sent, not while it waits. The wait has a bound of its
// own, longer than a call's deadline: a request still waiting when it passes fails as
// `CognitoQueueTimeout`, which is transient (errors.ts) and so answers 503 identity_unavailable
// with Retry-After. That answer is right then: the process has more work than Cognito takes from
// it, and a client coming back later (or a load balancer sending it elsewhere) is what helps.

import type { Config } from "../config.ts";

/** The most Cognito calls one process sends at once, unless COGNITO_MAX_CONCURRENT_CALLS says. */
export const DEFAULT_MAX_CONCURRENT_CALLS = 8;
/** The longest a call waits for its turn, unless COGNITO_QUEUE_TIMEOUT_MS says. */
export const DEFAULT_QUEUE_TIMEOUT_MS = 10_000;

export interface CallLimiterOptions {
  /** Calls in flight at once; the others wait, in the order they came. */
  maxConcurrent: number;
  /** The longest a call may wait for its turn before it fails with `CognitoQueueTimeout`. */
  queueTimeoutMs: number;
}

/** A call that waited its whole queue bound without being sent: Cognito was never asked. */
export class CognitoQueueTimeout extends Error {
  constructor(waitedMs: number) {
    super(`no Cognito call slot came free within ${waitedMs} ms`);
    this.name = "CognitoQueueTimeout";
  }
}

export interface CallLimiter {
  /** Runs `call` once a slot is free (at once when one is and nobody waits); the slot is held until it settles. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Calls running now. */
  readonly inFlight: number;
  /** Calls waiting for a slot. */
  readonly waiting: number;
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
  /** Gone from the queue (its wait timed out), though still in the array until passed over. */
  abandoned: boolean;
}

export function callLimiter(options: CallLimiterOptions): CallLimiter {
  const { maxConcurrent, queueTimeoutMs } = options;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new RangeError(
      `maxConcurrent must be a whole number of at least 1, got ${maxConcurrent}`,
    );
  }
  if (!(queueTimeoutMs >= 0)) {
    throw new RangeError(`queueTimeoutMs must be at least 0, got ${queueTimeoutMs}`);
  }
  let inFlight = 0;
  let waiting = 0;
  // A FIFO: an array read from `head`, compacted now and then, so taking the next is O(1).
  let queue: (Waiter | undefined)[] = [];
  let head = 0;

  function acquire(): Promise<void> {
    if (inFlight < maxConcurrent && waiting === 0) {
      inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        abandoned: false,
        timer: setTimeout(() => {
          waiter.abandoned = true;
          waiting--;
          reject(new CognitoQueueTimeout(queueTimeoutMs));
        }, queueTimeoutMs),
      };
      queue.push(waiter);
      waiting++;
    });
  }

  /** Hands the slot to the first one waiting, or frees it. */
  function release(): void {
    while (head < queue.length) {
      const next = queue[head];
      queue[head++] = undefined;
      if (!next || next.abandoned) continue;
      clearTimeout(next.timer);
      waiting--;
      compact();
      next.start();
      return;
    }
    inFlight--;
    compact();
  }

  function compact(): void {
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  return {
    async run(call) {
      await acquire();
      try {
        return await call();
      } finally {
        release();
      }
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waiting;
    },
  };
}

/** The limiter the environment asks for (COGNITO_MAX_CONCURRENT_CALLS, COGNITO_QUEUE_TIMEOUT_MS). */
export const configuredLimiter = (
  config: Pick<Config, "cognitoMaxConcurrentCalls" | "cognitoQueueTimeoutMs">,
): CallLimiter =>
  callLimiter({
    maxConcurrent: config.cognitoMaxConcurrentCalls,
    queueTimeoutMs: config.cognitoQueueTimeoutMs,
  });
