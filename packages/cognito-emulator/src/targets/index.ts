// The operations this emulator answers, by X-Amz-Target name.
import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import * as auth from "./auth.ts";
import * as pools from "./pools.ts";
import * as users from "./users.ts";

export type Operation = (input: Input) => unknown;

export function buildOperations(services: Services, region: string): Map<string, Operation> {
  return new Map<string, Operation>([
    ["CreateUserPool", pools.createUserPool(services, region)],
    ["DescribeUserPool", pools.describeUserPool(services)],
    ["ListUserPools", pools.listUserPools(services)],
    ["DeleteUserPool", pools.deleteUserPool(services)],
    ["CreateUserPoolClient", pools.createUserPoolClient(services)],
    ["DescribeUserPoolClient", pools.describeUserPoolClient(services)],
    ["UpdateUserPoolClient", pools.updateUserPoolClient(services)],
    ["ListUserPoolClients", pools.listUserPoolClients(services)],
    ["AdminCreateUser", users.adminCreateUser(services)],
    ["AdminGetUser", users.adminGetUser(services)],
    ["AdminSetUserPassword", users.adminSetUserPassword(services)],
    ["AdminUpdateUserAttributes", users.adminUpdateUserAttributes(services)],
    ["AdminDeleteUser", users.adminDeleteUser(services)],
    ["AdminDisableUser", users.adminDisableUser(services)],
    ["AdminEnableUser", users.adminEnableUser(services)],
    ["AdminUserGlobalSignOut", users.adminUserGlobalSignOut(services)],
    ["ListUsers", users.listUsers(services)],
    ["SignUp", users.signUp(services)],
    ["GetUser", users.getUser(services)],
    ["ChangePassword", users.changePassword(services)],
    ["GlobalSignOut", users.globalSignOut(services)],
    ["ForgotPassword", users.forgotPassword(services)],
    ["ConfirmForgotPassword", users.confirmForgotPassword(services)],
    ["CreateGroup", users.createGroup(services)],
    ["AdminAddUserToGroup", users.adminAddUserToGroup(services)],
    ["AdminRemoveUserFromGroup", users.adminRemoveUserFromGroup(services)],
    ["AdminListGroupsForUser", users.adminListGroupsForUser(services)],
    ["AdminInitiateAuth", auth.adminInitiateAuth(services)],
    ["AdminRespondToAuthChallenge", auth.adminRespondToAuthChallenge(services)],
    ["InitiateAuth", auth.initiateAuth(services)],
    ["RespondToAuthChallenge", auth.respondToAuthChallenge(services)],
    ["RevokeToken", auth.revokeToken(services)],
  ]);
}
