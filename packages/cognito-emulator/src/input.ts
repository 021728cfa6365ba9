// Typed access to a request body, failing the way Cognito does: InvalidParameterException naming
// the member and the constraint it broke.
import { InvalidParameterException } from "./errors.ts";

const member = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const invalid = (name: string, constraint: string) =>
  new InvalidParameterException(
    `1 validation error detected: Value at '${member(name)}' failed to satisfy constraint: ${constraint}`,
  );

/**
 * Cognito's wording for a member that breaks a constraint of the API's model, naming its value and
 * its path in the request (`policies.passwordPolicy.minimumLength`, `schema.1.member.name`).
 */
export function validationError(path: string, value: unknown, constraint: string) {
  const shown =
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value);
  return new InvalidParameterException(
    `1 validation error detected: Value '${shown}' at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

export interface AttributeType {
  Name: string;
  Value: string;
}

export class Input {
  constructor(readonly body: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.body[name] !== undefined && this.body[name] !== null;
  }

  string(name: string, max = 2048): string {
    const value = this.optionalString(name, max);
    if (value === undefined) throw invalid(name, "Member must not be null");
    return value;
  }

  optionalString(name: string, max = 2048): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw invalid(name, "Member must be a string");
    if (value.length > max) {
      throw invalid(name, `Member must have length less than or equal to ${max}`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw invalid(name, "Member must be a boolean");
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw invalid(name, "Member must be an integer");
    }
    if (value < min || value > max) {
      throw invalid(name, `Member must have value between ${min} and ${max}`);
    }
    return value;
  }

  stringList(name: string): string[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw invalid(name, "Member must be a list of strings");
    }
    return value as string[];
  }

  /** A map of strings; an entry whose value is null counts as absent (browsers send `DEVICE_KEY: null`). */
  stringMap(name: string): Record<string, string> {
    const value = this.body[name];
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
      throw invalid(name, "Member must be a map of strings");
    }
    const map: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null) continue;
      if (typeof item !== "string") throw invalid(name, "Member must be a map of strings");
      map[key] = item;
    }
    return map;
  }

  attributes(name: string): AttributeType[] {
    const value = this.body[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(name, "Member must be a list of attributes");
    return value.map((item) => {
      const attribute = item as Partial<AttributeType> | null;
      if (typeof attribute?.Name !== "string" || attribute.Name.length === 0) {
        throw invalid(`${name}.member.name`, "Member must not be null");
      }
      if (attribute.Value !== undefined && typeof attribute.Value !== "string") {
        throw invalid(`${name}.member.value`, "Member must be a string");
      }
      return { Name: attribute.Name, Value: attribute.Value ?? "" };
    });
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value))
      throw invalid(name, "Member must be an object");
    return value as Record<string, unknown>;
  }
}
