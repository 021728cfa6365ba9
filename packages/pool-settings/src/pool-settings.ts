// The one source of truth for how the user pool and its app client are configured. The CDK stack
// (infra/) deploys exactly these settings, and `npm start` seeds the local emulator with them, so
// the local pool behaves as production does. Shapes are Cognito's own API inputs.
import type {
  CreateUserPoolClientRequest,
  CreateUserPoolRequest,
} from "@aws-sdk/client-cognito-identity-provider";

/** Settings of the user pool, as `CreateUserPool` takes them (the pool name is chosen per stack). */
export const userPoolSettings = {
  // Only the back end creates accounts; users cannot sign themselves up.
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  // The username is the account id (a UUID); people sign in with their verified email.
  AliasAttributes: ["email"],
  UsernameConfiguration: { CaseSensitive: false },
  AutoVerifiedAttributes: ["email"],
  Policies: {
    PasswordPolicy: {
      MinimumLength: 10,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: false,
      TemporaryPasswordValidityDays: 7,
    },
  },
  AccountRecoverySetting: {
    RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }],
  },
  DeletionProtection: "ACTIVE",
} as const satisfies Omit<CreateUserPoolRequest, "PoolName">;

/** Settings of the browser's app client, as `CreateUserPoolClient` takes them. */
export const appClientSettings = {
  ClientName: "gatehouse-web",
  // A browser cannot keep a secret.
  GenerateSecret: false,
  ExplicitAuthFlows: [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    // Used by the server only: PASSWORD_SETUP=challenge, and signing in once as a new account's
    // user to have Cognito send the email verification code.
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  ],
  PreventUserExistenceErrors: "ENABLED",
  EnableTokenRevocation: true,
  // The API verifies access tokens itself: a user disabled or deleted directly in Cognito (console,
  // CLI) is refused by it once the token expires. 15 minutes bounds that; the site refreshes.
  AccessTokenValidity: 15,
  IdTokenValidity: 15,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
} as const satisfies Omit<CreateUserPoolClientRequest, "UserPoolId">;

/** Fixed identifiers of the local pool, so every `npm start` gets the same ids. */
export const localPool = {
  region: "us-east-1",
  poolName: "gatehouse-local",
  userPoolId: "us-east-1_gatehouse",
  clientId: "gatehouselocalwebclient001",
} as const;
