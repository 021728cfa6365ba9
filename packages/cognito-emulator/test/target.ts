// Where the conformance suite runs: the emulator in-process (default), or a real AWS account when
// CONFORMANCE_TARGET=aws (with AWS_REGION and credentials in the environment). Everything the
// suite does goes through the real clients, so the same assertions hold against both.
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { ManualClock, type RunningEmulator, startEmulator } from "../src/index.ts";

export interface Target {
  kind: "emulator" | "aws";
  region: string;
  /** Base URL for identity-js's `endpoint` (with trailing slash), or undefined for AWS. */
  endpoint: string | undefined;
  admin: CognitoIdentityProviderClient;
  /** Emulator only: its clock and outbox. */
  clock: ManualClock | null;
  outbox(): Promise<{ username: string; code: string; destination: string }[]>;
  jwks(poolId: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function openTarget(): Promise<Target> {
  if (process.env.CONFORMANCE_TARGET === "aws") {
    const region = process.env.AWS_REGION ?? "us-east-1";
    const admin = new CognitoIdentityProviderClient({ region });
    return {
      kind: "aws",
      region,
      endpoint: undefined,
      admin,
      clock: null,
      outbox: async () => [],
      jwks: async (poolId) =>
        (
          await fetch(`https://cognito-idp.${region}.amazonaws.com/${poolId}/.well-known/jwks.json`)
        ).json(),
      stop: async () => admin.destroy(),
    };
  }
  const clock = new ManualClock(Date.now());
  const emulator: RunningEmulator = await startEmulator({ inMemory: true, log: null, clock });
  const admin = new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  return {
    kind: "emulator",
    region: "us-east-1",
    endpoint: `${emulator.url}/`,
    admin,
    clock,
    outbox: async () =>
      (
        (await (await fetch(`${emulator.url}/_emulator/outbox`)).json()) as {
          messages: Awaited<ReturnType<Target["outbox"]>>;
        }
      ).messages,
    jwks: async (poolId) => (await fetch(`${emulator.url}/${poolId}/.well-known/jwks.json`)).json(),
    stop: async () => {
      admin.destroy();
      await emulator.stop();
    },
  };
}
