// Signing in with Cognito straight from the page (SRP: the password never leaves the browser), and
// keeping the tokens in memory and the tab's sessionStorage unless configured otherwise.
import {
  AuthenticationDetails,
  CognitoAccessToken,
  CognitoIdToken,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
  CognitoUserSession,
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

/** The tokens this tab holds, read straight from storage (identity-js would refresh on its own). */
async function stored(): Promise<{ user: CognitoUser; session: CognitoUserSession } | null> {
  const pool = await userPool();
  const user = pool.getCurrentUser();
  if (!user) return null;
  const storage = (pool as unknown as { storage: ICognitoStorage }).storage;
  const prefix = `CognitoIdentityServiceProvider.${pool.getClientId()}.${user.getUsername()}`;
  const [id, access, refresh] = ["idToken", "accessToken", "refreshToken"].map((kind) =>
    storage.getItem(`${prefix}.${kind}`),
  );
  if (!id || !access || !refresh) return null;
  const session = new CognitoUserSession({
    IdToken: new CognitoIdToken({ IdToken: id }),
    AccessToken: new CognitoAccessToken({ AccessToken: access }),
    RefreshToken: new CognitoRefreshToken({ RefreshToken: refresh }),
  });
  return { user, session };
}

const secondsLeft = (session: CognitoUserSession) =>
  session.getAccessToken().getExpiration() - Date.now() / 1000;

/** The current session, refreshed when its access token is about to expire; null when signed out. */
export async function currentSession(): Promise<CognitoUserSession | null> {
  const current = await stored();
  if (!current) return null;
  if (secondsLeft(current.session) > 60) {
    scheduleRefresh(current.session);
    return current.session;
  }
  return refreshSession();
}

type Request = (
  operation: string,
  params: unknown,
  callback: (error: (Error & { code?: string }) | null, data?: unknown) => void,
) => void;

interface RefreshResult {
  AuthenticationResult: { IdToken: string; AccessToken: string; RefreshToken?: string };
}

let refreshing: Promise<CognitoUserSession | null> | null = null;

/**
 * New tokens from the refresh token; null when Cognito refuses it. Done here rather than through
 * CognitoUser.refreshSession, which retries every failure for about 6 s (a revoked refresh token
 * included) and sends `DEVICE_KEY: null` when device tracking is off.
 */
export function refreshSession(): Promise<CognitoUserSession | null> {
  refreshing ??= (async () => {
    const current = await stored();
    if (!current) return null;
    const pool = await userPool();
    const request = (pool as unknown as { client: { request: Request } }).client.request.bind(
      (pool as unknown as { client: object }).client,
    );
    const refreshToken = current.session.getRefreshToken().getToken();
    const attempt = () =>
      new Promise<RefreshResult>((resolve, reject) =>
        request(
          "InitiateAuth",
          {
            ClientId: pool.getClientId(),
            AuthFlow: "REFRESH_TOKEN_AUTH",
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          },
          (error, data) => (error ? reject(error) : resolve(data as RefreshResult)),
        ),
      );
    let result: RefreshResult;
    try {
      result = await attempt().catch(async (error: Error & { code?: string }) => {
        // A refused token is final; anything else (a dropped connection) gets one more try.
        if (error.code === "NotAuthorizedException") throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
        return attempt();
      });
    } catch {
      return null;
    }
    const tokens = result.AuthenticationResult;
    const fresh = new CognitoUserSession({
      IdToken: new CognitoIdToken({ IdToken: tokens.IdToken }),
      AccessToken: new CognitoAccessToken({ AccessToken: tokens.AccessToken }),
      RefreshToken: new CognitoRefreshToken({ RefreshToken: tokens.RefreshToken ?? refreshToken }),
    });
    current.user.setSignInUserSession(fresh);
    scheduleRefresh(fresh);
    return fresh;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
/** Refreshes a minute before the access token expires, so requests never carry a stale one. */
function scheduleRefresh(session: CognitoUserSession): void {
  clearTimeout(refreshTimer);
  const expiresInMs = session.getAccessToken().getExpiration() * 1000 - Date.now();
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(expiresInMs - 60_000, 30_000));
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
