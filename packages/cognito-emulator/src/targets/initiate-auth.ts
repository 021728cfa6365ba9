import { requireFlow } from "../auth-flows.ts";
import { InvalidParameterException } from "../errors.ts";
import type { Input } from "../input.ts";
import { requireClient } from "../lookup.ts";
import type { Services } from "../services.ts";
import { passwordSignIn, refreshSignIn, srpSignIn } from "../sign-in.ts";

export const initiateAuth =
  (deps: Pick<Services, "store" | "clock" | "signer" | "sessions" | "config">) =>
  (input: Input) => {
    const flow = input.string("AuthFlow", 64);
    const parameters = input.stringMap("AuthParameters");
    const { pool, client } = requireClient(deps.store, input.string("ClientId", 128));
    switch (flow) {
      case "USER_SRP_AUTH":
        requireFlow(client, "USER_SRP_AUTH");
        return srpSignIn(deps, pool, client, parameters);
      case "USER_PASSWORD_AUTH":
        requireFlow(client, "USER_PASSWORD_AUTH");
        return passwordSignIn(deps, pool, client, parameters);
      case "REFRESH_TOKEN_AUTH":
      case "REFRESH_TOKEN":
        requireFlow(client, "REFRESH_TOKEN_AUTH", flow);
        return refreshSignIn(deps, pool, client, parameters);
      case "ADMIN_NO_SRP_AUTH":
      case "ADMIN_USER_PASSWORD_AUTH":
        throw new InvalidParameterException("Initiate Auth method not supported.");
      default:
        throw new InvalidParameterException(`Unsupported AuthFlow: ${flow}`);
    }
  };
