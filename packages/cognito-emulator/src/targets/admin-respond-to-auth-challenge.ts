import type { Input } from "../input.ts";
import { requirePoolClient } from "../lookup.ts";
import type { Services } from "../services.ts";
import { answerChallenge } from "../sign-in.ts";

export const adminRespondToAuthChallenge =
  (deps: Pick<Services, "store" | "clock" | "signer" | "sessions" | "config">) =>
  (input: Input) => {
    const poolId = input.string("UserPoolId", 55);
    const { pool, client } = requirePoolClient(deps.store, poolId, input.string("ClientId", 128));
    return answerChallenge(deps, pool, client, input);
  };
