// The operations this emulator answers, by X-Amz-Target name: one file per operation, each a
// factory that takes only the services it needs.
import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { addCustomAttributes } from "./add-custom-attributes.ts";
import { adminAddUserToGroup } from "./admin-add-user-to-group.ts";
import { adminConfirmSignUp } from "./admin-confirm-sign-up.ts";
import { adminCreateUser } from "./admin-create-user.ts";
import { adminDeleteUser } from "./admin-delete-user.ts";
import { adminDeleteUserAttributes } from "./admin-delete-user-attributes.ts";
import { adminDisableUser } from "./admin-disable-user.ts";
import { adminEnableUser } from "./admin-enable-user.ts";
import { adminGetUser } from "./admin-get-user.ts";
import { adminInitiateAuth } from "./admin-initiate-auth.ts";
import { adminListGroupsForUser } from "./admin-list-groups-for-user.ts";
import { adminRemoveUserFromGroup } from "./admin-remove-user-from-group.ts";
import { adminResetUserPassword } from "./admin-reset-user-password.ts";
import { adminRespondToAuthChallenge } from "./admin-respond-to-auth-challenge.ts";
import { adminSetUserPassword } from "./admin-set-user-password.ts";
import { adminUpdateUserAttributes } from "./admin-update-user-attributes.ts";
import { adminUserGlobalSignOut } from "./admin-user-global-sign-out.ts";
import { changePassword } from "./change-password.ts";
import { confirmForgotPassword } from "./confirm-forgot-password.ts";
import { confirmSignUp } from "./confirm-sign-up.ts";
import { createGroup } from "./create-group.ts";
import { createUserPool } from "./create-user-pool.ts";
import { createUserPoolClient } from "./create-user-pool-client.ts";
import { deleteGroup } from "./delete-group.ts";
import { deleteUser } from "./delete-user.ts";
import { deleteUserAttributes } from "./delete-user-attributes.ts";
import { deleteUserPool } from "./delete-user-pool.ts";
import { deleteUserPoolClient } from "./delete-user-pool-client.ts";
import { describeUserPool } from "./describe-user-pool.ts";
import { describeUserPoolClient } from "./describe-user-pool-client.ts";
import { forgotPassword } from "./forgot-password.ts";
import { getGroup } from "./get-group.ts";
import { getTokensFromRefreshToken } from "./get-tokens-from-refresh-token.ts";
import { getUser } from "./get-user.ts";
import { getUserAttributeVerificationCode } from "./get-user-attribute-verification-code.ts";
import { getUserPoolMfaConfig } from "./get-user-pool-mfa-config.ts";
import { globalSignOut } from "./global-sign-out.ts";
import { initiateAuth } from "./initiate-auth.ts";
import { listGroups } from "./list-groups.ts";
import { listUserPoolClients } from "./list-user-pool-clients.ts";
import { listUserPools } from "./list-user-pools.ts";
import { listUsers } from "./list-users.ts";
import { listUsersInGroup } from "./list-users-in-group.ts";
import { resendConfirmationCode } from "./resend-confirmation-code.ts";
import { respondToAuthChallenge } from "./respond-to-auth-challenge.ts";
import { revokeToken } from "./revoke-token.ts";
import { setUserPoolMfaConfig } from "./set-user-pool-mfa-config.ts";
import { signUp } from "./sign-up.ts";
import { updateGroup } from "./update-group.ts";
import { updateUserAttributes } from "./update-user-attributes.ts";
import { updateUserPool } from "./update-user-pool.ts";
import { updateUserPoolClient } from "./update-user-pool-client.ts";
import { verifyUserAttribute } from "./verify-user-attribute.ts";

export type Operation = (input: Input) => unknown;

const targets = {
  AddCustomAttributes: addCustomAttributes,
  AdminAddUserToGroup: adminAddUserToGroup,
  AdminConfirmSignUp: adminConfirmSignUp,
  AdminCreateUser: adminCreateUser,
  AdminDeleteUser: adminDeleteUser,
  AdminDeleteUserAttributes: adminDeleteUserAttributes,
  AdminDisableUser: adminDisableUser,
  AdminEnableUser: adminEnableUser,
  AdminGetUser: adminGetUser,
  AdminInitiateAuth: adminInitiateAuth,
  AdminListGroupsForUser: adminListGroupsForUser,
  AdminRemoveUserFromGroup: adminRemoveUserFromGroup,
  AdminResetUserPassword: adminResetUserPassword,
  AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
  AdminSetUserPassword: adminSetUserPassword,
  AdminUpdateUserAttributes: adminUpdateUserAttributes,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,
  ChangePassword: changePassword,
  ConfirmForgotPassword: confirmForgotPassword,
  ConfirmSignUp: confirmSignUp,
  CreateGroup: createGroup,
  CreateUserPool: createUserPool,
  CreateUserPoolClient: createUserPoolClient,
  DeleteGroup: deleteGroup,
  DeleteUser: deleteUser,
  DeleteUserAttributes: deleteUserAttributes,
  DeleteUserPool: deleteUserPool,
  DeleteUserPoolClient: deleteUserPoolClient,
  DescribeUserPool: describeUserPool,
  DescribeUserPoolClient: describeUserPoolClient,
  ForgotPassword: forgotPassword,
  GetGroup: getGroup,
  GetTokensFromRefreshToken: getTokensFromRefreshToken,
  GetUser: getUser,
  GetUserAttributeVerificationCode: getUserAttributeVerificationCode,
  GetUserPoolMfaConfig: getUserPoolMfaConfig,
  GlobalSignOut: globalSignOut,
  InitiateAuth: initiateAuth,
  ListGroups: listGroups,
  ListUserPoolClients: listUserPoolClients,
  ListUserPools: listUserPools,
  ListUsers: listUsers,
  ListUsersInGroup: listUsersInGroup,
  ResendConfirmationCode: resendConfirmationCode,
  RespondToAuthChallenge: respondToAuthChallenge,
  RevokeToken: revokeToken,
  SetUserPoolMfaConfig: setUserPoolMfaConfig,
  SignUp: signUp,
  UpdateGroup: updateGroup,
  UpdateUserAttributes: updateUserAttributes,
  UpdateUserPool: updateUserPool,
  UpdateUserPoolClient: updateUserPoolClient,
  VerifyUserAttribute: verifyUserAttribute,
} satisfies Record<string, (services: Services) => Operation>;

export type TargetName = keyof typeof targets;

export function buildOperations(services: Services): Map<string, Operation> {
  return new Map(Object.entries(targets).map(([name, target]) => [name, target(services)]));
}
