// The correctness check behind the fast SRP client: amazon-cognito-identity-js itself, the
// browser's library, signs in once per run (slowly: its own BigInteger costs ~90 ms of CPU).
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { Pool } from "./account-cycle.ts";

class MapStorage implements ICognitoStorage {
  private readonly items = new Map<string, string>();
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

/** Signs in with SRP through identity-js; resolves to the access token's `username` claim. */
export function identityJsSignIn(
  url: string,
  pool: Pool,
  signInName: string,
  password: string,
): Promise<string> {
  const userPool = new CognitoUserPool({
    UserPoolId: pool.poolId,
    ClientId: pool.clientId,
    endpoint: `${url}/`,
    Storage: new MapStorage(),
  });
  const user = new CognitoUser({ Username: signInName, Pool: userPool });
  const details = new AuthenticationDetails({ Username: signInName, Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: (session) => {
        const claim = session.getAccessToken().decodePayload().username;
        resolve(typeof claim === "string" ? claim : "");
      },
      onFailure: (error: unknown) =>
        reject(error instanceof Error ? error : new Error(String(error))),
      newPasswordRequired: () => reject(new Error("identity-js was asked for a new password")),
    });
  });
}
