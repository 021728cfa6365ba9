// Which sign-in flows an app client allows (`ExplicitAuthFlows`).
import { InvalidParameterException } from "./errors.ts";
import type { ClientRecord } from "./store.ts";

const CURRENT = new Set([
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_CUSTOM_AUTH",
  "ALLOW_USER_AUTH",
]);
const LEGACY = new Set(["ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"]);

/** Checks a client's `ExplicitAuthFlows` as CreateUserPoolClient does. */
export function validateExplicitAuthFlows(flows: string[]): void {
  for (const flow of flows) {
    if (!CURRENT.has(flow) && !LEGACY.has(flow)) {
      throw new InvalidParameterException(`Invalid ExplicitAuthFlows value: ${flow}`);
    }
  }
  if (flows.some((f) => CURRENT.has(f)) && flows.some((f) => LEGACY.has(f))) {
    throw new InvalidParameterException(
      "The combination of legacy and new explicit auth flows is not allowed.",
    );
  }
}

export type AuthFlow =
  | "USER_SRP_AUTH"
  | "USER_PASSWORD_AUTH"
  | "ADMIN_USER_PASSWORD_AUTH"
  | "REFRESH_TOKEN_AUTH";

const SETTING: Record<AuthFlow, { current: string; legacy: string | null }> = {
  USER_SRP_AUTH: { current: "ALLOW_USER_SRP_AUTH", legacy: null },
  USER_PASSWORD_AUTH: { current: "ALLOW_USER_PASSWORD_AUTH", legacy: "USER_PASSWORD_AUTH" },
  ADMIN_USER_PASSWORD_AUTH: {
    current: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    legacy: "ADMIN_NO_SRP_AUTH",
  },
  REFRESH_TOKEN_AUTH: { current: "ALLOW_REFRESH_TOKEN_AUTH", legacy: null },
};

/** Refuses a flow the client does not allow; `name` is the flow as the request spelled it. */
export function requireFlow(client: ClientRecord, flow: AuthFlow, name: string = flow): void {
  const flows = (client.settings.ExplicitAuthFlows as string[] | undefined) ?? [];
  const setting = SETTING[flow];
  let allowed: boolean;
  if (flows.length === 0) {
    // Cognito's default for a client that names none: SRP, refresh and custom.
    allowed = flow === "USER_SRP_AUTH" || flow === "REFRESH_TOKEN_AUTH";
  } else if (flows.some((f) => CURRENT.has(f))) {
    allowed = flows.includes(setting.current);
  } else {
    // Legacy settings: SRP and refresh are always on.
    allowed = setting.legacy === null || flows.includes(setting.legacy);
  }
  if (!allowed) throw new InvalidParameterException(`${name} flow not enabled for this client`);
}
