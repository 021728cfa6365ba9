// Users as an administrator manages them: creation (states, the temporary password, the password
// policy, case-insensitive names, the email alias and ForceAliasCreation), reading, attributes,
// deletion, admin-only pools refusing SignUp, groups, and ListUsers with filters and pages.
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CreateGroupCommand,
  ListUsersCommand,
  type ListUsersCommandInput,
  SignUpCommand,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browser } from "./browser.ts";
import {
  adminSignIn,
  attribute,
  createUser,
  expectError,
  GATEHOUSE_PASSWORD_POLICY,
  GATEHOUSE_POOL,
  openTarget,
  PASSWORD,
  type Target,
  TEMPORARY,
  tokensOf,
  unique,
  WEB_FLOWS,
} from "./harness.ts";

const INCORRECT = "Incorrect username or password.";
const ALIAS_TAKEN = "An account with the given email already exists.";
let target: Target;
/** Admin-only, email alias, case-insensitive, production's password policy. */
let poolId: string;
let clientId: string;

beforeAll(async () => {
  target = await openTarget();
  poolId = await target.createPool({
    ...GATEHOUSE_POOL,
    Policies: { PasswordPolicy: GATEHOUSE_PASSWORD_POLICY },
  });
  clientId = await target.createClient(poolId, {
    ExplicitAuthFlows: WEB_FLOWS,
    PreventUserExistenceErrors: "ENABLED",
  });
}, 30_000);

afterAll(() => target?.stop());

const getUser = (Username: string, UserPoolId = poolId) =>
  target.admin.send(new AdminGetUserCommand({ UserPoolId, Username }));
const signIn = (login: string, password = PASSWORD) =>
  tokensOf(adminSignIn(target, poolId, clientId, login, password));

describe("AdminCreateUser", () => {
  it("creates a FORCE_CHANGE_PASSWORD user with a sub, the given attributes and epoch dates", async () => {
    const username = unique("create-");
    const email = `${username}@example.com`;
    const { User } = await target.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: "SUPPRESS",
        TemporaryPassword: TEMPORARY,
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
          { Name: "given_name", Value: "Alan" },
        ],
      }),
    );
    expect(User).toMatchObject({
      Username: username,
      Enabled: true,
      UserStatus: "FORCE_CHANGE_PASSWORD",
    });
    expect(attribute(User?.Attributes, "sub")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(attribute(User?.Attributes, "email")).toBe(email);
    expect(attribute(User?.Attributes, "given_name")).toBe("Alan");
    expect(User?.UserCreateDate).toBeInstanceOf(Date);
    expect(Math.abs((User?.UserCreateDate?.getTime() ?? 0) - Date.now())).toBeLessThan(120_000);

    const read = await getUser(username);
    expect(read).toMatchObject({
      Username: username,
      Enabled: true,
      UserStatus: "FORCE_CHANGE_PASSWORD",
    });
    expect(attribute(read.UserAttributes, "sub")).toBe(attribute(User?.Attributes, "sub"));
    expect(attribute(read.UserAttributes, "email_verified")).toBe("true");
    // A second user gets a different sub.
    const other = await createUser(target, poolId, { permanent: false });
    expect(other.sub).not.toBe(attribute(User?.Attributes, "sub"));
  });

  it("makes up a temporary password nobody knows when none is given", async () => {
    const username = unique("no-temp-");
    await target.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: "SUPPRESS",
      }),
    );
    expect((await getUser(username)).UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    await expectError(signIn(username, TEMPORARY), "NotAuthorizedException", INCORRECT);
  });

  it("refuses a taken username in any letter case, and reads users whatever the case", async () => {
    const { username } = await createUser(target, poolId, { username: unique("Mixed-Case-") });
    for (const taken of [username, username.toUpperCase(), username.toLowerCase()]) {
      await expectError(
        target.admin.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username: taken,
            MessageAction: "SUPPRESS",
          }),
        ),
        "UsernameExistsException",
        "User account already exists",
      );
    }
    expect((await getUser(username.toLowerCase())).Username).toBe(username);
    expect((await getUser(username.toUpperCase())).Username).toBe(username);
    await signIn(username.toUpperCase());
  });

  it("keeps usernames distinct by case in a case-sensitive pool", async () => {
    const sensitive = await target.createPool({ UsernameConfiguration: { CaseSensitive: true } });
    const name = unique("Case-");
    for (const username of [name, name.toLowerCase()]) {
      await target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: sensitive,
          Username: username,
          MessageAction: "SUPPRESS",
        }),
      );
    }
    expect((await getUser(name, sensitive)).Username).toBe(name);
    expect((await getUser(name.toLowerCase(), sensitive)).Username).toBe(name.toLowerCase());
    await expectError(
      getUser(name.toUpperCase(), sensitive),
      "UserNotFoundException",
      "User does not exist.",
    );
  });

  it("enforces the pool's password policy on the temporary password, naming the rule", async () => {
    const create = (TemporaryPassword: string) =>
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: unique("policy-"),
          MessageAction: "SUPPRESS",
          TemporaryPassword,
        }),
      );
    const rule = (text: string) => `Password did not conform with policy: ${text}`;
    await expectError(
      create("Short1abc"),
      "InvalidPasswordException",
      rule("Password not long enough"),
    );
    await expectError(
      create("NO-LOWER-CASE-1"),
      "InvalidPasswordException",
      rule("Password must have lowercase characters"),
    );
    await expectError(
      create("no-upper-case-1"),
      "InvalidPasswordException",
      rule("Password must have uppercase characters"),
    );
    await expectError(
      create("No-Numbers-Here"),
      "InvalidPasswordException",
      rule("Password must have numeric characters"),
    );
    // This pool does not require symbols.
    await create("NoSymbols1234");

    // The default policy does, and counts the space as one.
    const strict = await target.createPool({});
    const strictCreate = (TemporaryPassword: string) =>
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: strict,
          Username: unique("strict-"),
          MessageAction: "SUPPRESS",
          TemporaryPassword,
        }),
      );
    await expectError(
      strictCreate("NoSymbols1"),
      "InvalidPasswordException",
      rule("Password must have symbol characters"),
    );
    await strictCreate("With Space1");
    await strictCreate("Sym^bol1a");
  });

  it("refuses an email-shaped username when email is an alias, and unknown or immutable attributes", async () => {
    await expectError(
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: "someone@example.com",
          MessageAction: "SUPPRESS",
        }),
      ),
      "InvalidParameterException",
      "Username cannot be of email format, since user pool is configured for email alias.",
    );
    await expectError(
      createUser(target, poolId, { attributes: [{ Name: "favourite_colour", Value: "blue" }] }),
      "InvalidParameterException",
    );
    await expectError(
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: unique("bad-mail-"),
          MessageAction: "SUPPRESS",
          UserAttributes: [{ Name: "email", Value: "not-an-email" }],
        }),
      ),
      "InvalidParameterException",
    );
    await expectError(
      target.admin.send(
        new AdminCreateUserCommand({
          UserPoolId: `${poolId.split("_")[0]}_NoSuchPo0l`,
          Username: "x",
        }),
      ),
      "ResourceNotFoundException",
    );
  });
});

describe("the email alias", () => {
  const createWithEmail = (email: string, force?: boolean) =>
    target.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: unique("alias-"),
        MessageAction: "SUPPRESS",
        TemporaryPassword: TEMPORARY,
        ...(force === undefined ? {} : { ForceAliasCreation: force }),
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );

  it("belongs to one user: AliasExistsException, or moved with ForceAliasCreation", async () => {
    const first = await createUser(target, poolId);
    await expectError(
      createWithEmail(first.email.toUpperCase()),
      "AliasExistsException",
      ALIAS_TAKEN,
    );
    await expectError(createWithEmail(first.email, false), "AliasExistsException", ALIAS_TAKEN);
    const moved = await createWithEmail(first.email, true);
    const newOwner = moved.User?.Username ?? "";

    // The old holder keeps the address, unverified, and can no longer sign in with it.
    const old = await getUser(first.username);
    expect(attribute(old.UserAttributes, "email")).toBe(first.email);
    expect(attribute(old.UserAttributes, "email_verified")).toBe("false");
    await signIn(first.username);
    const started = await adminSignIn(target, poolId, clientId, first.email, TEMPORARY);
    expect(started.ChallengeParameters?.USER_ID_FOR_SRP).toBe(newOwner);
    expect((await getUser(first.email)).Username).toBe(newOwner);
  });

  it("is taken only when verified: an unverified email may be shared", async () => {
    const first = await createUser(target, poolId);
    const shared = await target.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: unique("shared-"),
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: first.email }],
      }),
    );
    expect(attribute(shared.User?.Attributes, "email_verified")).not.toBe("true");
    expect((await getUser(first.email)).Username).toBe(first.username);
  });

  it("follows AdminUpdateUserAttributes: a changed email is unverified; verifying a taken one is refused", async () => {
    const { username, email } = await createUser(target, poolId);
    const other = await createUser(target, poolId);
    const changed = `changed-${email}`;
    await target.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: username,
        UserAttributes: [{ Name: "email", Value: changed }],
      }),
    );
    const user = await getUser(username);
    expect(attribute(user.UserAttributes, "email")).toBe(changed);
    expect(attribute(user.UserAttributes, "email_verified")).toBe("false");
    await expectError(signIn(changed), "NotAuthorizedException", INCORRECT);
    await expectError(signIn(email), "NotAuthorizedException", INCORRECT);

    await target.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: username,
        UserAttributes: [{ Name: "email_verified", Value: "true" }],
      }),
    );
    await signIn(changed);

    await expectError(
      target.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: username,
          UserAttributes: [
            { Name: "email", Value: other.email },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      ),
      "AliasExistsException",
      ALIAS_TAKEN,
    );
    expect(attribute((await getUser(username)).UserAttributes, "email")).toBe(changed);
    await signIn(other.email);
  });
});

describe("AdminUpdateUserAttributes, AdminGetUser and AdminDeleteUser", () => {
  it("updates standard attributes, refuses sub and unknown ones, and finds users by alias or sub", async () => {
    const { username, email, sub } = await createUser(target, poolId);
    await target.admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: username,
        UserAttributes: [
          { Name: "family_name", Value: "Hopper" },
          { Name: "locale", Value: "en-GB" },
        ],
      }),
    );
    const user = await getUser(username);
    expect(attribute(user.UserAttributes, "family_name")).toBe("Hopper");
    expect(attribute(user.UserAttributes, "locale")).toBe("en-GB");
    expect(attribute(user.UserAttributes, "email_verified")).toBe("true");
    const idToken = (await signIn(email)).id;
    const claims = JSON.parse(
      Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8"),
    );
    expect(claims).toMatchObject({ family_name: "Hopper", locale: "en-GB" });

    for (const UserAttributes of [
      [{ Name: "sub", Value: "mine" }],
      [{ Name: "shoe_size", Value: "9" }],
    ]) {
      await expectError(
        target.admin.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: poolId,
            Username: username,
            UserAttributes,
          }),
        ),
        "InvalidParameterException",
      );
    }
    expect((await getUser(email.toUpperCase())).Username).toBe(username);
    expect((await getUser(sub)).Username).toBe(username);
    await expectError(
      target.admin.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: unique("ghost"),
          UserAttributes: [{ Name: "name", Value: "x" }],
        }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
  });

  it("deletes a user: gone from reads and sign-in, and the username and email free again", async () => {
    const { username, email } = await createUser(target, poolId);
    await target.admin.send(
      new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username.toUpperCase() }),
    );
    await expectError(getUser(username), "UserNotFoundException", "User does not exist.");
    await expectError(signIn(email), "NotAuthorizedException", INCORRECT);
    await expectError(
      target.admin.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: username })),
      "UserNotFoundException",
      "User does not exist.",
    );
    await createUser(target, poolId, { username, email });
    await signIn(email);
  });
});

describe("SignUp", () => {
  it("is refused on an admin-only pool, through the SDK and identity-js", async () => {
    const refusal = "SignUp is not permitted for this user pool";
    await expectError(
      target.admin.send(
        new SignUpCommand({ ClientId: clientId, Username: unique("self-"), Password: PASSWORD }),
      ),
      "NotAuthorizedException",
      refusal,
    );
    await expectError(
      browser(target, poolId, clientId).signUp(
        unique("self-"),
        PASSWORD,
        `${unique("self")}@example.com`,
      ),
      "NotAuthorizedException",
      refusal,
    );
  });

  it("creates an UNCONFIRMED user on a pool that allows it", async () => {
    const open = await target.createPool({
      AliasAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
    });
    const openClient = await target.createClient(open, {});
    const username = unique("self-");
    const result = await browser(target, open, openClient).signUp(
      username,
      "Self-Passw0rd!",
      `${username}@example.com`,
    );
    expect(result.userConfirmed).toBe(false);
    expect(result.userSub).toMatch(/^[0-9a-f-]{36}$/);
    expect((await getUser(username, open)).UserStatus).toBe("UNCONFIRMED");
    await expectError(
      browser(target, open, openClient).signIn(username, "Self-Passw0rd!"),
      "UserNotConfirmedException",
      "User is not confirmed.",
    );
    await expectError(
      target.admin.send(
        new SignUpCommand({ ClientId: openClient, Username: username, Password: "Self-Passw0rd!" }),
      ),
      "UsernameExistsException",
    );
    await expectError(
      target.admin.send(
        new SignUpCommand({ ClientId: openClient, Username: unique("weak-"), Password: "weak" }),
      ),
      "InvalidPasswordException",
    );
  });
});

describe("groups", () => {
  it("CreateGroup, AdminAddUserToGroup, AdminListGroupsForUser, AdminRemoveUserFromGroup", async () => {
    const { username } = await createUser(target, poolId);
    const name = unique("editors");
    const { Group } = await target.admin.send(
      new CreateGroupCommand({
        UserPoolId: poolId,
        GroupName: name,
        Description: "People who edit",
        Precedence: 3,
      }),
    );
    expect(Group).toMatchObject({
      GroupName: name,
      UserPoolId: poolId,
      Description: "People who edit",
      Precedence: 3,
    });
    await expectError(
      target.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: name })),
      "GroupExistsException",
      /already exists/,
    );
    const list = async () =>
      (
        await target.admin.send(
          new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: username }),
        )
      ).Groups?.map((g) => g.GroupName);
    expect(await list()).toEqual([]);
    await target.admin.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: name }),
    );
    // Adding twice is not an error, and does not list the group twice.
    await target.admin.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: poolId,
        Username: username.toUpperCase(),
        GroupName: name,
      }),
    );
    expect(await list()).toEqual([name]);
    await target.admin.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: poolId,
        Username: username,
        GroupName: name,
      }),
    );
    expect(await list()).toEqual([]);
  });

  it("names the missing group or user", async () => {
    const { username } = await createUser(target, poolId);
    const group = unique("g");
    await target.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
    await expectError(
      target.admin.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: poolId,
          Username: username,
          GroupName: unique("nogroup"),
        }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: poolId,
          Username: unique("ghost"),
          GroupName: group,
        }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
    await expectError(
      target.admin.send(
        new AdminRemoveUserFromGroupCommand({
          UserPoolId: poolId,
          Username: username,
          GroupName: unique("nogroup"),
        }),
      ),
      "ResourceNotFoundException",
    );
    await expectError(
      target.admin.send(
        new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: unique("ghost") }),
      ),
      "UserNotFoundException",
      "User does not exist.",
    );
  });
});

describe("ListUsers", () => {
  let listPool: string;
  const made: { username: string; email: string; sub: string }[] = [];
  const tag = unique("list");

  beforeAll(async () => {
    listPool = await target.createPool({
      AliasAttributes: ["email"],
      UsernameConfiguration: { CaseSensitive: false },
    });
    for (let i = 0; i < 7; i++) {
      made.push(
        await createUser(target, listPool, {
          username: `${tag}-User-${i}`,
          email: `${tag}-${i}@example.com`,
          permanent: i % 2 === 0,
        }),
      );
    }
  });

  const list = (input: Omit<ListUsersCommandInput, "UserPoolId">) =>
    target.admin.send(new ListUsersCommand({ UserPoolId: listPool, ...input }));
  const names = (users: UserType[] | undefined) =>
    (users ?? []).map((u) => u.Username ?? "").sort();

  it("lists every user with their state", async () => {
    const { Users, PaginationToken } = await list({});
    expect(PaginationToken).toBeUndefined();
    expect(names(Users)).toEqual(made.map((u) => u.username).sort());
    const one = Users?.find((u) => u.Username === made[1]?.username);
    expect(one).toMatchObject({ Enabled: true, UserStatus: "FORCE_CHANGE_PASSWORD" });
    expect(one?.UserCreateDate).toBeInstanceOf(Date);
    expect(attribute(one?.Attributes, "email")).toBe(made[1]?.email);
    expect(Users?.find((u) => u.Username === made[0]?.username)?.UserStatus).toBe("CONFIRMED");
  });

  it("filters by email, username and sub, exactly or by prefix", async () => {
    const target3 = made[3];
    expect(names((await list({ Filter: `email = "${target3?.email}"` })).Users)).toEqual([
      target3?.username,
    ]);
    expect(names((await list({ Filter: `username = "${target3?.username}"` })).Users)).toEqual([
      target3?.username,
    ]);
    expect(
      names((await list({ Filter: `username = "${target3?.username.toLowerCase()}"` })).Users),
    ).toEqual([target3?.username]);
    expect(names((await list({ Filter: `sub = "${target3?.sub}"` })).Users)).toEqual([
      target3?.username,
    ]);
    expect(names((await list({ Filter: `email ^= "${tag}-"` })).Users)).toEqual(
      made.map((u) => u.username).sort(),
    );
    expect(names((await list({ Filter: `username ^= "${tag}-User-1"` })).Users)).toEqual([
      made[1]?.username,
    ]);
    expect((await list({ Filter: `email = "nobody-${tag}@example.com"` })).Users).toEqual([]);
    expect(names((await list({ Filter: `cognito:user_status = "CONFIRMED"` })).Users)).toEqual(
      made
        .filter((_, i) => i % 2 === 0)
        .map((u) => u.username)
        .sort(),
    );
  });

  it("pages with Limit and PaginationToken, each user once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await list({ Limit: 3, PaginationToken: token });
      expect((page.Users ?? []).length).toBeLessThanOrEqual(3);
      seen.push(...names(page.Users));
      token = page.PaginationToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(made.map((u) => u.username).sort());

    const filtered: string[] = [];
    token = undefined;
    do {
      const page = await list({ Filter: `email ^= "${tag}-"`, Limit: 2, PaginationToken: token });
      filtered.push(...names(page.Users));
      token = page.PaginationToken;
    } while (token && filtered.length < 20);
    expect(filtered.sort()).toEqual(made.map((u) => u.username).sort());
  });

  it("returns only the attributes asked for", async () => {
    const { Users } = await list({
      Filter: `email = "${made[0]?.email}"`,
      AttributesToGet: ["email"],
    });
    expect(Users?.[0]?.Attributes).toEqual([{ Name: "email", Value: made[0]?.email }]);
  });

  it("refuses a malformed filter, a bad limit and an unknown pool", async () => {
    for (const Filter of ["email = unquoted", 'email == "x"', 'email "x"']) {
      await expectError(list({ Filter }), "InvalidParameterException");
    }
    await expectError(list({ Limit: 61 }), "InvalidParameterException");
    await expectError(
      target.admin.send(
        new ListUsersCommand({ UserPoolId: `${listPool.split("_")[0]}_NoSuchPo0l` }),
      ),
      "ResourceNotFoundException",
    );
  });
});
