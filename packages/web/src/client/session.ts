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
import { tokenKeys } from "./identity-js-internals.ts";
import { forgetPending, pendingIdFor } from "./pending-registration.ts";

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

interface Pool {
  pool: CognitoUserPool;
  storage: TokenStorage;
}
let poolPromise: Promise<Pool> | null = null;
function openPool(): Promise<Pool> {
  poolPromise ??= loadConfig().then((config) => {
    const storage = new TokenStorage(
      config.tokenStorage === "local" ? localStorage : sessionStorage,
    );
    const pool = new CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      Storage: storage,
      ...(config.cognitoEndpoint
        ? { endpoint: `${config.cognitoEndpoint.replace(/\/$/, "")}/` }
        : {}),
    });
    return { pool, storage };
  });
  return poolPromise;
}

export async function userPool(): Promise<CognitoUserPool> {
  return (await openPool()).pool;
}

/**
 * Signs in with SRP. `username` is an email (Cognito's alias, once the email is verified) or the
 * account id (always works; the only way in before the email is verified).
 */
export async function signIn(username: string, password: string): Promise<CognitoUserSession> {
  const { pool, storage } = await openPool();
  const user = new CognitoUser({ Username: username, Pool: pool, Storage: storage });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
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

const refused = (error: unknown) =>
  ["NotAuthorizedException", "UserNotFoundException"].includes(
    (error as { code?: string } | null)?.code ?? "",
  );

/**
 * Signs in with the email a person types. Cognito accepts an email only once it is verified, so
 * when this browser registered that email and the registration is still waiting for its code, the
 * account id remembered for it is tried next (the person may have closed the tab before entering
 * the code). The email's own error is the one shown when both fail.
 */
export async function signInWithEmail(
  email: string,
  password: string,
): Promise<CognitoUserSession> {
  const pending = pendingIdFor(email);
  try {
    return await signIn(email, password);
  } catch (error) {
    if (!pending || !refused(error)) throw error;
    try {
      return await signIn(pending, password);
    } catch (retry) {
      // The registration is gone (verified by someone else, or expired): stop trying it.
      if ((retry as { code?: string }).code === "UserNotFoundException") forgetPending(email);
      throw error;
    }
  }
}

/** The tokens this tab holds, read straight from storage (identity-js would refresh on its own). */
async function stored(): Promise<{ user: CognitoUser; session: CognitoUserSession } | null> {
  const { pool, storage } = await openPool();
  const user = pool.getCurrentUser();
  if (!user) return null;
  const keys = tokenKeys(pool.getClientId(), user.getUsername());
  const id = storage.getItem(keys.idToken);
  const access = storage.getItem(keys.accessToken);
  const refresh = storage.getItem(keys.refreshToken);
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

/** The username (account id) of the signed-in user, whatever they typed to sign in. */
export async function currentUsername(): Promise<string | null> {
  return (await userPool()).getCurrentUser()?.getUsername() ?? null;
}

/**
 * One call to Cognito's JSON API, as identity-js makes it: its own client is not part of its typed
 * surface. Failures carry Cognito's exception name as `code`, as identity-js's do.
 */
async function cognito<T>(operation: string, params: object): Promise<T> {
  const config = await loadConfig();
  const endpoint = config.cognitoEndpoint
    ? `${config.cognitoEndpoint.replace(/\/$/, "")}/`
    : `https://cognito-idp.${config.region}.amazonaws.com/`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(params),
    cache: "no-store",
  });
  const body = (await response.json().catch(() => ({}))) as {
    __type?: string;
    message?: string;
  };
  if (response.ok) return body as T;
  const name =
    (body.__type ?? response.headers.get("x-amzn-errortype") ?? "UnknownError")
      .split("#")
      .pop()
      ?.split(":")[0] ?? "UnknownError";
  throw Object.assign(new Error(body.message ?? name), { name, code: name });
}

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
    const refreshToken = current.session.getRefreshToken().getToken();
    const attempt = () =>
      cognito<RefreshResult>("InitiateAuth", {
        ClientId: pool.getClientId(),
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
    let result: RefreshResult;
    try {
      result = await attempt().catch(async (error: Error & { code?: string }) => {
        // A refused token is final; anything else (a dropped connection) gets one more try.
        if (refused(error)) throw error;
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
