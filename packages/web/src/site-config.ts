/** `config.json`, served beside the pages, so one build runs locally and in production. */
export interface SiteConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** The local Cognito's URL; absent in production. */
  cognitoEndpoint?: string;
  /** The accounts API, no trailing slash. */
  apiBaseUrl: string;
  passwordPolicy: {
    minimumLength: number;
    requireUppercase: boolean;
    requireLowercase: boolean;
    requireNumbers: boolean;
    requireSymbols: boolean;
  };
  /** Where tokens are kept: the tab's session (default) or localStorage. */
  tokenStorage?: "session" | "local";
}
