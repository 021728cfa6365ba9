import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import { mfaConfigOf } from "../mfa-config.ts";
import type { Services } from "../services.ts";

export const getUserPoolMfaConfig =
  ({ store }: Pick<Services, "store">) =>
  (input: Input) =>
    mfaConfigOf(requirePool(store, input.string("UserPoolId", 55)));
