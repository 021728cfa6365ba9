// `config.json`, served beside the pages, so one build runs locally and in production. Every
// config.json is built by `siteConfig()`: `npm start`, the browser tests and the CDK stack (which
// passes deploy-time placeholders for the ids and the API's URL), so a field renamed here is a type
// error in each of them, and in the pages that read it.

export interface PasswordPolicyHint {
  readonly minimumLength: number;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
}

export interface SiteConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The local Cognito's URL; absent in production, where the region's endpoint is used. */
  readonly cognitoEndpoint?: string;
  /** The accounts API, no trailing slash. */
  readonly apiBaseUrl: string;
  /** The pool's password policy, for the hint beside each new-password field. */
  readonly passwordPolicy: PasswordPolicyHint;
  /** Where tokens are kept: the tab's session (default) or localStorage. */
  readonly tokenStorage?: "session" | "local";
}

export interface SiteConfigInput {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The local Cognito's URL; `null` against AWS. */
  readonly cognitoEndpoint: string | null;
  /** The accounts API's base URL (a trailing slash is dropped when the value is known here). */
  readonly apiBaseUrl: string;
  readonly passwordPolicy: PasswordPolicyHint;
  /** `"session"` unless given. */
  readonly tokenStorage?: "session" | "local";
}

/** The one builder of `config.json`. */
export function siteConfig(input: SiteConfigInput): SiteConfig {
  const { minimumLength, requireUppercase, requireLowercase, requireNumbers, requireSymbols } =
    input.passwordPolicy;
  return {
    region: input.region,
    userPoolId: input.userPoolId,
    clientId: input.clientId,
    ...(input.cognitoEndpoint === null ? {} : { cognitoEndpoint: input.cognitoEndpoint }),
    apiBaseUrl: input.apiBaseUrl.replace(/\/+$/, ""),
    passwordPolicy: {
      minimumLength,
      requireUppercase,
      requireLowercase,
      requireNumbers,
      requireSymbols,
    },
    ...(input.tokenStorage === undefined || input.tokenStorage === "session"
      ? {}
      : { tokenStorage: input.tokenStorage }),
  };
}
