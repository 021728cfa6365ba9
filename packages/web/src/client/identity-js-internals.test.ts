import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  CognitoAccessToken,
  CognitoIdToken,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
  CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import { describe, expect, it } from "vitest";
import {
  computeSrpEphemeral,
  srpValuesOfNextSignIn,
  supplySrpEphemerals,
  tokenKeys,
  WRITTEN_FOR,
} from "./identity-js-internals.ts";

const require = createRequire(import.meta.url);
const readJson = <T>(file: string | URL) => JSON.parse(readFileSync(file, "utf8")) as T;
const big = (value: unknown) =>
  BigInt(`0x${(value as { toString(radix: number): string }).toString(16)}`);

class MemoryStorage implements ICognitoStorage {
  readonly items = new Map<string, string>();
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

/** A token-shaped string whose payload identity-js can decode. */
const jwt = (claims: object) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

describe("the identity-js internals the site relies on", () => {
  it("were written for the installed amazon-cognito-identity-js, pinned in package.json", () => {
    const installed = readJson<{ version: string }>(
      require.resolve("amazon-cognito-identity-js/package.json"),
    );
    expect(
      installed.version,
      "amazon-cognito-identity-js changed: re-check identity-js-internals.ts against its source, then update WRITTEN_FOR",
    ).toBe(WRITTEN_FOR);
    const web = readJson<{ dependencies: Record<string, string> }>(
      new URL("../../package.json", import.meta.url),
    );
    expect(web.dependencies["amazon-cognito-identity-js"]).toBe(WRITTEN_FOR);
  });

  it("name the keys CognitoUser stores a session's tokens under", () => {
    const storage = new MemoryStorage();
    const pool = new CognitoUserPool({
      UserPoolId: "us-east-1_gatehouse",
      ClientId: "gatehouselocalwebclient001",
      Storage: storage,
    });
    const user = new CognitoUser({ Username: "3f6c-account-id", Pool: pool, Storage: storage });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    user.setSignInUserSession(
      new CognitoUserSession({
        IdToken: new CognitoIdToken({ IdToken: jwt({ exp, token_use: "id" }) }),
        AccessToken: new CognitoAccessToken({ AccessToken: jwt({ exp, token_use: "access" }) }),
        RefreshToken: new CognitoRefreshToken({ RefreshToken: "refresh-token" }),
      }),
    );
    const keys = tokenKeys("gatehouselocalwebclient001", "3f6c-account-id");
    expect(storage.getItem(keys.idToken)).toBe(jwt({ exp, token_use: "id" }));
    expect(storage.getItem(keys.accessToken)).toBe(jwt({ exp, token_use: "access" }));
    expect(storage.getItem(keys.refreshToken)).toBe("refresh-token");
    expect(pool.getCurrentUser()?.getUsername()).toBe("3f6c-account-id");
  });

  it("hand a supplied SRP ephemeral to the next sign-in, and compute one when none is", () => {
    const pair = computeSrpEphemeral();
    expect(pair).not.toBeNull();
    let supplied: typeof pair = pair;
    expect(
      supplySrpEphemerals(() => {
        const next = supplied;
        supplied = null;
        return next;
      }),
    ).toBe(true);
    try {
      const used = srpValuesOfNextSignIn();
      expect(used.a).toBe(big(pair?.small));
      expect(used.A).toBe(big(pair?.large));
      const own = srpValuesOfNextSignIn();
      expect(own.a).not.toBe(used.a);
      expect(own.A).not.toBe(used.A);
    } finally {
      supplySrpEphemerals(() => null);
    }
  });
});
