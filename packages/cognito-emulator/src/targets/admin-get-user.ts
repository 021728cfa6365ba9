import type { Input } from "../input.ts";
import { requirePool, requireUser } from "../lookup.ts";
import type { Services } from "../services.ts";
import { attributeList } from "../users.ts";

export const adminGetUser =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) => {
    const username = input.string("Username", 128);
    const user = requireUser(requirePool(store, input.string("UserPoolId", 55)), username);
    return {
      Username: user.username,
      UserAttributes: attributeList(user),
      UserCreateDate: user.createdAt / 1000,
      UserLastModifiedDate: user.updatedAt / 1000,
      Enabled: user.enabled,
      UserStatus: user.status,
    };
  };
