// The bound on Cognito calls in flight (cognito/call-limiter.ts): calls beyond it wait their turn in
// the order they came, a failing call frees its slot, and a call that waits past the queue bound
// fails as a transient error the API answers with 503 identity_unavailable and Retry-After. Through
// the identity layer, a call's deadline starts when it is sent, not while it waits.
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { describe, expect, it } from "vitest";
import { CognitoQueueTimeout, callLimiter } from "../src/cognito/call-limiter.ts";
import { IDENTITY_RETRY_AFTER_SECONDS, isTransient, toProblem } from "../src/cognito/errors.ts";
import { cognitoIdentity } from "../src/cognito/identity.ts";

/** A call the test finishes by hand. */
function held<T = string>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("callLimiter", () => {
  it("runs at most maxConcurrent calls at once, and the others in the order they came", async () => {
    const limiter = callLimiter({ maxConcurrent: 3, queueTimeoutMs: 60_000 });
    const started: number[] = [];
    const calls = Array.from({ length: 10 }, () => held<number>());
    let running = 0;
    let most = 0;
    const results = calls.map((call, i) =>
      limiter.run(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        try {
          return await call.promise;
        } finally {
          running--;
        }
      }),
    );
    await settle();
    expect(started).toEqual([0, 1, 2]);
    expect([limiter.inFlight, limiter.waiting]).toEqual([3, 7]);
    // Finished out of order: the slots still go to the waiting calls first come, first served.
    for (const i of [1, 0, 2, 5, 4, 3, 9, 8, 7, 6]) {
      calls[i]?.resolve(i);
      await settle();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
    expect([limiter.inFlight, limiter.waiting]).toEqual([0, 0]);
  });

  it("frees the slot of a call that fails, whether it rejects or throws at once", async () => {
    const limiter = callLimiter({ maxConcurrent: 1, queueTimeoutMs: 60_000 });
    const failing = held();
    const first = limiter.run(() => failing.promise);
    const second = limiter.run(() => {
      throw new Error("refused before sending");
    });
    const third = limiter.run(async () => "ran");
    failing.reject(Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }));
    await expect(first).rejects.toThrow("Rate exceeded");
    await expect(second).rejects.toThrow("refused before sending");
    expect(await third).toBe("ran");
    expect([limiter.inFlight, limiter.waiting]).toEqual([0, 0]);
  });

  it("fails a call still waiting after queueTimeoutMs, unsent, as 503 identity_unavailable with Retry-After", async () => {
    const limiter = callLimiter({ maxConcurrent: 1, queueTimeoutMs: 50 });
    const busy = held();
    const holding = limiter.run(() => busy.promise);
    let sent = false;
    const started = performance.now();
    const waiting = limiter.run(async () => {
      sent = true;
    });
    const error = await waiting.catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(CognitoQueueTimeout);
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(sent).toBe(false);
    // The flows treat it as Cognito busy: transient, so retried later, never blamed on the caller.
    expect(isTransient(error)).toBe(true);
    const problem = toProblem(error);
    expect([problem.code, problem.status, problem.retryAfter]).toEqual([
      "identity_unavailable",
      503,
      IDENTITY_RETRY_AFTER_SECONDS,
    ]);
    // The call that timed out holds no place: the next one runs once the slot frees.
    expect(limiter.waiting).toBe(0);
    const next = limiter.run(async () => "next");
    busy.resolve("done");
    await holding;
    expect(await next).toBe("next");
    expect(sent).toBe(false);
    expect([limiter.inFlight, limiter.waiting]).toEqual([0, 0]);
  });

  it("refuses a bound that could never send anything", () => {
    expect(() => callLimiter({ maxConcurrent: 0, queueTimeoutMs: 1000 })).toThrow(RangeError);
    expect(() => callLimiter({ maxConcurrent: 1.5, queueTimeoutMs: 1000 })).toThrow(RangeError);
    expect(() => callLimiter({ maxConcurrent: 1, queueTimeoutMs: -1 })).toThrow(RangeError);
  });

  it("keeps its order through many calls, some of them timing out while they wait", async () => {
    const limiter = callLimiter({ maxConcurrent: 2, queueTimeoutMs: 30 });
    const order: number[] = [];
    const gate = held();
    // Two calls hold both slots past the queue bound of the next 1,500.
    const holders = [0, 1].map(() => limiter.run(() => gate.promise));
    const timedOut = Array.from({ length: 1500 }, (_, i) =>
      limiter.run(async () => order.push(i)).catch((e: unknown) => e),
    );
    for (const e of await Promise.all(timedOut)) expect(e).toBeInstanceOf(CognitoQueueTimeout);
    const later = Array.from({ length: 50 }, (_, i) => limiter.run(async () => order.push(i)));
    gate.resolve("go");
    await Promise.all([...holders, ...later]);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe("cognitoIdentity through the limiter", () => {
  /** A Cognito answering DescribeUserPool after `ms`, unless the call's signal aborts first. */
  function slowCognito(ms: number) {
    let inFlight = 0;
    let most = 0;
    const client = {
      send(_command: unknown, options: { abortSignal: AbortSignal }) {
        inFlight++;
        most = Math.max(most, inFlight);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            inFlight--;
            resolve({ UserPool: { Policies: { PasswordPolicy: { MinimumLength: 12 } } } });
          }, ms);
          options.abortSignal.addEventListener("abort", () => {
            clearTimeout(timer);
            inFlight--;
            reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
          });
        });
      },
    };
    return {
      client: client as unknown as CognitoIdentityProviderClient,
      most: () => most,
    };
  }
  const pool = {
    userPoolId: "eu-west-1_test",
    clientId: "client",
    passwordSetup: "set-password",
  } as const;

  it("starts a call's deadline when it is sent, not while it waits its turn", async () => {
    const cognito = slowCognito(60);
    const identity = cognitoIdentity({
      ...pool,
      client: cognito.client,
      callDeadlineMs: 150,
      limiter: callLimiter({ maxConcurrent: 1, queueTimeoutMs: 5_000 }),
    });
    // Five calls one after another take 300 ms, twice the deadline: each still has all of it.
    const policies = await Promise.all(Array.from({ length: 5 }, () => identity.passwordPolicy()));
    expect(policies.map((p) => p.minimumLength)).toEqual([12, 12, 12, 12, 12]);
    expect(cognito.most()).toBe(1);
  });

  it("still cuts off a call sent and not answered within its deadline", async () => {
    const cognito = slowCognito(500);
    const identity = cognitoIdentity({
      ...pool,
      client: cognito.client,
      callDeadlineMs: 50,
      limiter: callLimiter({ maxConcurrent: 4, queueTimeoutMs: 5_000 }),
    });
    const error = await identity.passwordPolicy().catch((e: unknown) => e);
    expect(toProblem(error).code).toBe("identity_unavailable");
  });

  it("answers 503 identity_unavailable to a call that waited past the queue bound", async () => {
    const cognito = slowCognito(300);
    const identity = cognitoIdentity({
      ...pool,
      client: cognito.client,
      callDeadlineMs: 1_000,
      limiter: callLimiter({ maxConcurrent: 2, queueTimeoutMs: 50 }),
    });
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => identity.passwordPolicy()),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const third = results[2] as PromiseRejectedResult;
    expect(third.reason).toBeInstanceOf(CognitoQueueTimeout);
    expect(toProblem(third.reason).status).toBe(503);
    expect(cognito.most()).toBe(2);
  });

  it("sends everything at once with no limiter (the readiness probe)", async () => {
    const cognito = slowCognito(30);
    const identity = cognitoIdentity({
      ...pool,
      client: cognito.client,
      limiter: null,
    });
    await Promise.all(Array.from({ length: 20 }, () => identity.passwordPolicy()));
    expect(cognito.most()).toBe(20);
  });
});
