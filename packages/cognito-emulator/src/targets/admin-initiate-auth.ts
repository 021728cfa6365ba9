import { requireFlow } from "../auth-flows.ts";
import { InvalidParameterException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requirePoolClient } from "../lookup.ts";
import type { Services } from "../services.ts";
import { passwordSignIn, refreshSignIn, srpSignIn } from "../sign-in.ts";

export const adminInitiateAuth =
  (deps: Pick<Services, "store" | "clock" | "signer" | "sessions" | "config">) =>
  (input: Input) => {
    const flow = input.string("AuthFlow", 64);
    const parameters = input.stringMap("AuthParameters");
    const poolId = input.string("UserPoolId", 55);
    const { pool, client } = requirePoolClient(deps.store, poolId, input.string("ClientId", 128));
    switch (flow) {
      case "ADMIN_USER_PASSWORD_AUTH":
      case "ADMIN_NO_SRP_AUTH":
        requireFlow(client, "ADMIN_USER_PASSWORD_AUTH", flow);
        return passwordSignIn(deps, pool, client, parameters);
      case "REFRESH_TOKEN_AUTH":
      case "REFRESH_TOKEN":
        requireFlow(client, "REFRESH_TOKEN_AUTH", flow);
        return refreshSignIn(deps, pool, client, parameters);
      case "USER_SRP_AUTH":
        requireFlow(client, "USER_SRP_AUTH");
        return srpSignIn(deps, pool, client, parameters);
      default:
        throw new InvalidParameterException(`Unsupported AuthFlow for AdminInitiateAuth: ${flow}`);
    }
  };
