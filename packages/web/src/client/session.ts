// Signing in with Cognito straight from the page (SRP: the password never leaves the browser), and
// keeping the tokens in memory and the tab's sessionStorage unless configured otherwise.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { SiteConfig } from "../site-config.ts";

let configPromise: Promise<SiteConfig> | null = null;
export function loadConfig(): Promise<SiteConfig> {
  configPromise ??= fetch("/config.json").then((response) => {
    if (!response.ok) throw new Error("config.json is missing");
    return response.json() as Promise<SiteConfig>;
  });
  return configPromise;
}

/** Memory first, mirrored to a Web Storage so a reload keeps the session. */
class TokenStorage implements ICognitoStorage {
  private readonly memory = new Map<string, string>();
  constructor(private readonly backing: Storage) {}
  setItem(key: string, value: string) {
    this.memory.set(key, value);
    this.backing.setItem(key, value);
  }
  getItem(key: string) {
    return this.memory.get(key) ?? this.backing.getItem(key);
  }
  removeItem(key: string) {
    this.memory.delete(key);
    this.backing.removeItem(key);
  }
  clear() {
    for (const key of this.memory.keys()) this.backing.removeItem(key);
    this.memory.clear();
  }
}

let poolPromise: Promise<CognitoUserPool> | null = null;
export function userPool(): Promise<CognitoUserPool> {
  poolPromise ??= loadConfig().then(
    (config) =>
      new CognitoUserPool({
        UserPoolId: config.userPoolId,
        ClientId: config.clientId,
        Storage: new TokenStorage(config.tokenStorage === "local" ? localStorage : sessionStorage),
        ...(config.cognitoEndpoint
          ? { endpoint: `${config.cognitoEndpoint.replace(/\/$/, "")}/` }
          : {}),
      }),
  );
  return poolPromise;
}

export async function signIn(email: string, password: string): Promise<CognitoUserSession> {
  const pool = await userPool();
  const user = new CognitoUser({
    Username: email,
    Pool: pool,
    Storage: (pool as unknown as { storage: ICognitoStorage }).storage,
  });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
      onSuccess: (session) => {
        scheduleRefresh(session);
        resolve(session);
      },
      onFailure: reject,
      newPasswordRequired: () =>
        reject(
          Object.assign(new Error("This account needs a new password."), {
            code: "PasswordResetRequiredException",
          }),
        ),
    });
  });
}

/** The current session, refreshed when its access token has expired; null when signed out. */
export async function currentSession(): Promise<CognitoUserSession | null> {
  const user = (await userPool()).getCurrentUser();
  if (!user) return null;
  return new Promise((resolve) => {
    user.getSession((error: Error | null, session: CognitoUserSession | null) => {
      if (error || !session?.isValid()) resolve(null);
      else {
        scheduleRefresh(session);
        resolve(session);
      }
    });
  });
}

/** Forces a refresh (after the API refused the access token); null when it cannot be refreshed. */
export async function refreshSession(): Promise<CognitoUserSession | null> {
  const user = (await userPool()).getCurrentUser();
  const session = await currentSession();
  if (!user || !session) return null;
  return new Promise((resolve) => {
    user.refreshSession(
      session.getRefreshToken(),
      (error: Error | null, fresh: CognitoUserSession) => {
        if (error) resolve(null);
        else {
          scheduleRefresh(fresh);
          resolve(fresh);
        }
      },
    );
  });
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
/** Refreshes a minute before the access token expires, so requests never carry a stale one. */
function scheduleRefresh(session: CognitoUserSession): void {
  clearTimeout(refreshTimer);
  const expiresInMs = session.getAccessToken().getExpiration() * 1000 - Date.now();
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(expiresInMs - 60_000, 5_000));
}

export async function signOutLocally(): Promise<void> {
  clearTimeout(refreshTimer);
  (await userPool()).getCurrentUser()?.signOut();
}

export async function cognitoUser(email: string): Promise<CognitoUser> {
  const pool = await userPool();
  return new CognitoUser({
    Username: email,
    Pool: pool,
    Storage: (pool as unknown as { storage: ICognitoStorage }).storage,
  });
}
