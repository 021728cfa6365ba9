import type { Input } from "../input.ts";
import { requireClient } from "../lookup.ts";
import type { Services } from "../services.ts";
import { answerChallenge } from "../sign-in.ts";

export const respondToAuthChallenge =
  (deps: Pick<Services, "store" | "clock" | "signer" | "sessions" | "config">) =>
  (input: Input) => {
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    return answerChallenge(deps, pool, client, input);
  };
