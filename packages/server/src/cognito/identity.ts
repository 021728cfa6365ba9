// The Cognito calls the API makes, and nothing else (the deployment's IAM policy allows exactly these).
import { randomBytes } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { PasswordSetup } from "../config.ts";
import { fromCognito, type PasswordPolicy } from "../password-policy.ts";
import { cognitoErrorName } from "./errors.ts";

export interface IdentityUser {
  username: string;
  sub: string | null;
  status: string;
  enabled: boolean;
  createdAt: Date | null;
}

export interface Identity {
  passwordPolicy(): Promise<PasswordPolicy>;
  /** AdminCreateUser with no message, a verified email and a random temporary password. */
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
  /** Revokes the user's refresh tokens; a user already gone is fine. */
  signOutEverywhere(id: string): Promise<void>;
}

export const attribute = (
  attributes: { Name?: string; Value?: string }[] | undefined,
  name: string,
) => attributes?.find((a) => a.Name === name)?.Value ?? null;

const notFound = (error: unknown) => cognitoErrorName(error) === "UserNotFoundException";

function temporaryPassword(): string {
  // Meets any pool policy: all four character classes and well over the minimum length.
  return `Aa1!${randomBytes(24).toString("base64url")}`;
}

export function cognitoIdentity(options: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  clientId: string;
  passwordSetup: PasswordSetup;
}): Identity {
  const { client, userPoolId, clientId } = options;

  return {
    async passwordPolicy() {
      const { UserPool } = await client.send(
        new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
      );
      return fromCognito(UserPool?.Policies?.PasswordPolicy);
    },

    async createUser(id, email) {
      const password = temporaryPassword();
      const { User } = await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: id,
          MessageAction: "SUPPRESS",
          TemporaryPassword: password,
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      );
      const sub = attribute(User?.Attributes, "sub");
      if (!sub) throw new Error("AdminCreateUser returned no sub");
      return { sub, temporaryPassword: password };
    },

    async setPermanentPassword(id, password, temporary) {
      if (options.passwordSetup === "set-password" || temporary === null) {
        await client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: id,
            Password: password,
            Permanent: true,
          }),
        );
        return;
      }
      const started = await client.send(
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
      await client.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: started.Session,
          ChallengeResponses: { USERNAME: id, NEW_PASSWORD: password },
        }),
      );
    },

    async getUser(id) {
      try {
        const user = await client.send(
          new AdminGetUserCommand({ UserPoolId: userPoolId, Username: id }),
        );
        return {
          username: user.Username ?? id,
          sub: attribute(user.UserAttributes, "sub"),
          status: user.UserStatus ?? "UNKNOWN",
          enabled: user.Enabled ?? true,
          createdAt: user.UserCreateDate ?? null,
        };
      } catch (error) {
        if (notFound(error)) return null;
        throw error;
      }
    },

    async deleteUser(id) {
      try {
        await client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: id }));
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    },

    async signOutEverywhere(id) {
      try {
        await client.send(
          new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: id }),
        );
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    },
  };
}
