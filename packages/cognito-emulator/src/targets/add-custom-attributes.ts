import { addCustomAttributes as addToSchema, schemaOf } from "../attributes.ts";
import type { Input } from "../input.ts";
import { requirePool } from "../lookup.ts";
import type { Services } from "../services.ts";

/** New `custom:` attributes, for every user from now on; existing ones cannot be changed. */
export const addCustomAttributes = (deps: Pick<Services, "store" | "clock">) => (input: Input) => {
  const pool = requirePool(deps.store, input.string("UserPoolId", 55));
  const SchemaAttributes = addToSchema(schemaOf(pool.record.settings), input.body.CustomAttributes);
  deps.store.putPool({
    ...pool.record,
    settings: { ...pool.record.settings, SchemaAttributes },
    updatedAt: deps.clock.now(),
  });
  return {};
};
