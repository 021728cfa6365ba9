// The browser side through amazon-cognito-identity-js, as a web page uses it (here in Node), with
// its callbacks turned into promises.
//
// identity-js retries failed refreshes and revocations with a backoff of several seconds
// (`requestWithRetry`), so refusals of those are checked through the SDK instead.
import {
  AuthenticationDetails,
  type CodeDeliveryDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
  type ISignUpResult,
} from "amazon-cognito-identity-js";
import type { Target } from "./harness.ts";

export interface Browser {
  pool: CognitoUserPool;
  user(login: string): CognitoUser;
  /** USER_SRP_AUTH (identity-js's default) or USER_PASSWORD_AUTH; fails on any challenge. */
  signIn(
    login: string,
    password: string,
    flow?: "USER_SRP_AUTH" | "USER_PASSWORD_AUTH",
  ): Promise<{ user: CognitoUser; session: CognitoUserSession }>;
  /** Signs in with a temporary password and answers NEW_PASSWORD_REQUIRED. */
  signInWithNewPassword(
    login: string,
    temporary: string,
    next: string,
  ): Promise<{ user: CognitoUser; session: CognitoUserSession; userAttributes: unknown }>;
  refresh(user: CognitoUser, session: CognitoUserSession): Promise<CognitoUserSession>;
  attributes(user: CognitoUser): Promise<Record<string, string>>;
  changePassword(user: CognitoUser, previous: string, next: string): Promise<void>;
  forgotPassword(login: string): Promise<CodeDeliveryDetails>;
  confirmPassword(login: string, code: string, password: string): Promise<void>;
  globalSignOut(user: CognitoUser): Promise<void>;
  /** signOut with revocation: RevokeToken on the refresh token. */
  signOut(user: CognitoUser): Promise<void>;
  signUp(username: string, password: string, email: string): Promise<ISignUpResult>;
}

/**
 * Storage that answers as a browser's does: `getItem` gives null for a missing key (identity-js's
 * own memory storage gives undefined). identity-js copies that null into requests, e.g.
 * `DEVICE_KEY: null` on every refresh, so the emulator is checked against what browsers send.
 */
class BrowserStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

export function browser(target: Target, poolId: string, clientId: string): Browser {
  const storage = new BrowserStorage();
  const pool = new CognitoUserPool({
    UserPoolId: poolId,
    ClientId: clientId,
    Storage: storage,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
  });
  const user = (login: string) =>
    new CognitoUser({ Username: login, Pool: pool, Storage: storage });
  const done = (resolve: () => void, reject: (error: Error) => void) => (error?: Error | null) =>
    error ? reject(error) : resolve();

  return {
    pool,
    user,
    signIn: (login, password, flow = "USER_SRP_AUTH") =>
      new Promise((resolve, reject) => {
        const cognitoUser = user(login);
        cognitoUser.setAuthenticationFlowType(flow);
        cognitoUser.authenticateUser(
          new AuthenticationDetails({ Username: login, Password: password }),
          {
            onSuccess: (session) => resolve({ user: cognitoUser, session }),
            onFailure: reject,
            newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
          },
        );
      }),
    signInWithNewPassword: (login, temporary, next) =>
      new Promise((resolve, reject) => {
        const cognitoUser = user(login);
        let userAttributes: unknown = null;
        cognitoUser.authenticateUser(
          new AuthenticationDetails({ Username: login, Password: temporary }),
          {
            onSuccess: (session) => resolve({ user: cognitoUser, session, userAttributes }),
            onFailure: reject,
            newPasswordRequired: (attributes) => {
              userAttributes = attributes;
              cognitoUser.completeNewPasswordChallenge(
                next,
                {},
                {
                  onSuccess: (session) => resolve({ user: cognitoUser, session, userAttributes }),
                  onFailure: reject,
                },
              );
            },
          },
        );
      }),
    refresh: (cognitoUser, session) =>
      new Promise((resolve, reject) =>
        cognitoUser.refreshSession(session.getRefreshToken(), (error, value) =>
          error ? reject(error) : resolve(value as CognitoUserSession),
        ),
      ),
    attributes: (cognitoUser) =>
      new Promise((resolve, reject) =>
        cognitoUser.getUserAttributes((error, list?: CognitoUserAttribute[]) =>
          error
            ? reject(error)
            : resolve(Object.fromEntries((list ?? []).map((a) => [a.getName(), a.getValue()]))),
        ),
      ),
    changePassword: (cognitoUser, previous, next) =>
      new Promise((resolve, reject) =>
        cognitoUser.changePassword(previous, next, done(resolve, reject)),
      ),
    forgotPassword: (login) =>
      new Promise((resolve, reject) =>
        user(login).forgotPassword({
          onSuccess: (data: { CodeDeliveryDetails: CodeDeliveryDetails }) =>
            resolve(data.CodeDeliveryDetails),
          onFailure: reject,
        }),
      ),
    confirmPassword: (login, code, password) =>
      new Promise((resolve, reject) =>
        user(login).confirmPassword(code, password, {
          onSuccess: () => resolve(),
          onFailure: reject,
        }),
      ),
    globalSignOut: (cognitoUser) =>
      new Promise((resolve, reject) =>
        cognitoUser.globalSignOut({ onSuccess: () => resolve(), onFailure: reject }),
      ),
    signOut: (cognitoUser) =>
      new Promise((resolve, reject) =>
        // Typed as taking no argument, it is called with the revocation's error.
        cognitoUser.signOut(done(resolve, reject) as () => void),
      ),
    signUp: (username, password, email) =>
      new Promise((resolve, reject) =>
        pool.signUp(
          username,
          password,
          [new CognitoUserAttribute({ Name: "email", Value: email })],
          [],
          (error, result) => (error || !result ? reject(error) : resolve(result)),
        ),
      ),
  };
}
