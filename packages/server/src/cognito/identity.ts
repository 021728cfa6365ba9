// The Cognito calls the API makes, and nothing else (the deployment's IAM policy allows exactly these).
// The token-holder and forgot-password operations need no IAM permission; they are here so that
// every call the server makes is in one place.
import { randomBytes } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  RevokeTokenCommand,
  VerifyUserAttributeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { PasswordSetup } from "../config.ts";
import { fromCognito, type PasswordPolicy } from "../password-policy.ts";
import {
  type CallLimiter,
  callLimiter,
  DEFAULT_MAX_CONCURRENT_CALLS,
  DEFAULT_QUEUE_TIMEOUT_MS,
} from "./call-limiter.ts";
import { COGNITO_CALL_DEADLINE_MS } from "./client.ts";
import { cognitoErrorName, isTransient } from "./errors.ts";

export interface IdentityUser {
  username: string;
  sub: string | null;
  status: string;
  enabled: boolean;
  createdAt: Date | null;
  /** Whether Cognito holds the email as proven (and so as the sign-in alias). */
  emailVerified: boolean;
}

export interface Identity {
  passwordPolicy(): Promise<PasswordPolicy>;
  /** AdminCreateUser with no message, an unverified email and a random temporary password. */
  createUser(id: string, email: string): Promise<{ sub: string; temporaryPassword: string }>;
  /**
   * Makes `password` the user's permanent password (CONFIRMED). With PASSWORD_SETUP=challenge and
   * the temporary password known, through the NEW_PASSWORD_REQUIRED challenge; else in one call.
   */
  setPermanentPassword(
    id: string,
    password: string,
    temporaryPassword: string | null,
  ): Promise<void>;
  getUser(id: string): Promise<IdentityUser | null>;
  /** Deletes the user; a user already gone is fine. */
  deleteUser(id: string): Promise<void>;
  /** Revokes every token the user holds (refresh tokens, and access tokens at Cognito's own APIs). */
  signOutEverywhere(id: string): Promise<void>;
  /**
   * Sends a code to the user's email (GetUserAttributeVerificationCode), signing in as the user with
   * the password the server was just given, since the operation needs the user's access token;
   * that sign-in's session is revoked at once.
   */
  sendVerificationCodeAs(id: string, password: string): Promise<void>;
  /** Sends a new code to the email of the access token's user. */
  sendVerificationCode(accessToken: string): Promise<void>;
  /** VerifyUserAttribute(email): the email becomes verified, and so the user's sign-in alias. */
  verifyEmail(accessToken: string, code: string): Promise<void>;
  /**
   * Marks the user's email verified (AdminUpdateUserAttributes): gives the alias back to the
   * account that owns the email should a losing registration's verification have taken it.
   */
  markEmailVerified(id: string): Promise<void>;
  /** ForgotPassword: a code to the email, if it signs someone in (Cognito hides whether it does). */
  forgotPassword(login: string): Promise<void>;
  confirmForgotPassword(login: string, code: string, password: string): Promise<void>;
  changePassword(accessToken: string, previous: string, proposed: string): Promise<void>;
  /**
   * Whether Cognito still honours this (already verified) access token: false once the user signed
   * out everywhere after it was issued, or is gone. Throws when Cognito cannot say.
   */
  isAccessTokenActive(accessToken: string): Promise<boolean>;
}

type CognitoCommand = Parameters<CognitoIdentityProviderClient["send"]>[0];
/** A command that answers `Output` (read off its middleware's handler, as the SDK's types say). */
type CommandOf<Output> = {
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: Output }>;
};
/** `client.send` with one command, as every call here makes it. */
type Send = <Output>(command: CommandOf<Output>) => Promise<Output>;

export const attribute = (
  attributes: { Name?: string; Value?: string }[] | undefined,
  name: string,
) => attributes?.find((a) => a.Name === name)?.Value ?? null;

const notFound = (error: unknown) => cognitoErrorName(error) === "UserNotFoundException";

/** Meets the pool's policy whatever it asks: all four character classes, and long enough. */
export function temporaryPassword(minimumLength: number): string {
  const length = Math.max(32, minimumLength);
  return `Aa1!${randomBytes(length)
    .toString("base64url")
    .slice(0, length - 4)}`;
}

export function cognitoIdentity(options: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  clientId: string;
  passwordSetup: PasswordSetup;
  /** The most one call may take once sent, SDK retries included. Default COGNITO_CALL_DEADLINE_MS. */
  callDeadlineMs?: number;
  /**
   * The calls in flight at once, and how long one may wait for its turn (call-limiter.ts); share
   * one limiter between identities to share the bound. Default: a limiter of this identity's own
   * with the default bounds; null: no bound (the readiness probe).
   */
  limiter?: CallLimiter | null;
}): Identity {
  const { client, userPoolId, clientId } = options;
  const deadline = options.callDeadlineMs ?? COGNITO_CALL_DEADLINE_MS;
  const limiter =
    options.limiter === undefined
      ? callLimiter({
          maxConcurrent: DEFAULT_MAX_CONCURRENT_CALLS,
          queueTimeoutMs: DEFAULT_QUEUE_TIMEOUT_MS,
        })
      : options.limiter;
  // Every call goes through here: it waits for a slot, then gets its deadline, so none outlives
  // it once sent (the SDK's AbortError is transient) and time spent waiting is not counted in it.
  const sent: Send = <Output>(command: CommandOf<Output>) =>
    client.send(command as unknown as CognitoCommand, {
      abortSignal: AbortSignal.timeout(deadline),
    }) as Promise<Output>;
  const send: Send = limiter ? (command) => limiter.run(() => sent(command)) : sent;
  let policy: PasswordPolicy | null = null;

  async function passwordPolicy() {
    const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    policy = fromCognito(UserPool?.Policies?.PasswordPolicy);
    return policy;
  }

  async function getUser(id: string): Promise<IdentityUser | null> {
    try {
      const user = await send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: id }));
      return {
        username: user.Username ?? id,
        sub: attribute(user.UserAttributes, "sub"),
        status: user.UserStatus ?? "UNKNOWN",
        enabled: user.Enabled ?? true,
        createdAt: user.UserCreateDate ?? null,
        emailVerified: attribute(user.UserAttributes, "email_verified") === "true",
      };
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  return {
    passwordPolicy,
    getUser,

    async createUser(id, email) {
      const password = temporaryPassword((policy ?? (await passwordPolicy())).minimumLength);
      try {
        const { User } = await send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: id,
            MessageAction: "SUPPRESS",
            TemporaryPassword: password,
            UserAttributes: [
              { Name: "email", Value: email },
              // Proven by its owner later (POST /me/email-verification); until then no alias.
              { Name: "email_verified", Value: "false" },
            ],
          }),
        );
        const sub = attribute(User?.Attributes, "sub");
        if (!sub) throw new Error("AdminCreateUser returned no sub");
        return { sub, temporaryPassword: password };
      } catch (error) {
        if (cognitoErrorName(error) !== "UsernameExistsException") throw error;
        // The id was made for this account: the user can only come from an earlier attempt of
        // this very call whose answer was lost (the SDK retried it), sent with the same password.
        const user = await getUser(id);
        if (!user?.sub || user.status !== "FORCE_CHANGE_PASSWORD") throw error;
        return { sub: user.sub, temporaryPassword: password };
      }
    },

    async setPermanentPassword(id, password, temporary) {
      if (options.passwordSetup === "set-password" || temporary === null) {
        await send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: id,
            Password: password,
            Permanent: true,
          }),
        );
        return;
      }
      const started = await send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          AuthFlow: "ADMIN_NO_SRP_AUTH",
          AuthParameters: { USERNAME: id, PASSWORD: temporary },
        }),
      );
      if (started.ChallengeName !== "NEW_PASSWORD_REQUIRED") {
        throw new Error(`Expected NEW_PASSWORD_REQUIRED, got ${started.ChallengeName ?? "tokens"}`);
      }
      try {
        await send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            ChallengeName: "NEW_PASSWORD_REQUIRED",
            Session: started.Session,
            ChallengeResponses: { USERNAME: id, NEW_PASSWORD: password },
          }),
        );
      } catch (error) {
        if (isTransient(error)) throw error;
        // A retried answer finds its session used up when the first attempt went through; only
        // this request knew the temporary password, so a CONFIRMED user means it did.
        if ((await getUser(id))?.status !== "CONFIRMED") throw error;
      }
    },

    async deleteUser(id) {
      try {
        await send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: id }));
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    },

    async signOutEverywhere(id) {
      try {
        await send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: id }));
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    },

    async sendVerificationCodeAs(id, password) {
      const { AuthenticationResult: tokens } = await send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: id, PASSWORD: password },
        }),
      );
      if (!tokens?.AccessToken) throw new Error("the sign-in to send a code returned no tokens");
      try {
        await send(
          new GetUserAttributeVerificationCodeCommand({
            AccessToken: tokens.AccessToken,
            AttributeName: "email",
          }),
        );
      } finally {
        // The server's session as the user ends here; its access token dies within its lifetime.
        if (tokens.RefreshToken) {
          await send(
            new RevokeTokenCommand({ Token: tokens.RefreshToken, ClientId: clientId }),
          ).catch(() => {});
        }
      }
    },

    async sendVerificationCode(accessToken) {
      await send(
        new GetUserAttributeVerificationCodeCommand({
          AccessToken: accessToken,
          AttributeName: "email",
        }),
      );
    },

    async verifyEmail(accessToken, code) {
      await send(
        new VerifyUserAttributeCommand({
          AccessToken: accessToken,
          AttributeName: "email",
          Code: code,
        }),
      );
    },

    async markEmailVerified(id) {
      await send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: id,
          UserAttributes: [{ Name: "email_verified", Value: "true" }],
        }),
      );
    },

    async forgotPassword(login) {
      await send(new ForgotPasswordCommand({ ClientId: clientId, Username: login }));
    },

    async confirmForgotPassword(login, code, password) {
      await send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: login,
          ConfirmationCode: code,
          Password: password,
        }),
      );
    },

    async changePassword(accessToken, previous, proposed) {
      await send(
        new ChangePasswordCommand({
          AccessToken: accessToken,
          PreviousPassword: previous,
          ProposedPassword: proposed,
        }),
      );
    },

    async isAccessTokenActive(accessToken) {
      try {
        await send(new GetUserCommand({ AccessToken: accessToken }));
        return true;
      } catch (error) {
        const name = cognitoErrorName(error);
        if (name === "NotAuthorizedException" || name === "UserNotFoundException") return false;
        throw error;
      }
    },
  };
}
