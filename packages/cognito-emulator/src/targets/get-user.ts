import type { Input } from "../input.ts";
import type { Services } from "../services.ts";
import { authenticateAccessToken } from "../user-tokens.ts";
import { attributeList } from "../users.ts";

export const getUser = (deps: Pick<Services, "store" | "clock" | "signer">) => (input: Input) => {
  const { user } = authenticateAccessToken(deps, input.string("AccessToken", 16_384));
  return { Username: user.username, UserAttributes: attributeList(user) };
};
