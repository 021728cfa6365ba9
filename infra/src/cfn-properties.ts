// Cognito's API inputs (pool-settings.ts) and CloudFormation's properties share names, but the
// CDK's L1 constructs take them with a lower-case first letter. Converting mechanically, instead
// of mapping field by field, means a setting added to pool-settings.ts reaches the template
// without anyone touching the stack; the tests check that every setting arrived.

type LowerFirst<K> = K extends `${infer First}${infer Rest}` ? `${Lowercase<First>}${Rest}` : K;

/** `T` with every object key's first letter lower-cased, recursively, and readonly removed. */
export type L1Properties<T> = T extends readonly (infer Item)[]
  ? L1Properties<Item>[]
  : T extends object
    ? { -readonly [K in keyof T as LowerFirst<K & string>]: L1Properties<T[K]> }
    : T;

/** Converts a Cognito API shape to the props of the matching CDK L1 construct. */
export function toL1Properties<T>(value: T): L1Properties<T> {
  return convert(value) as L1Properties<T>;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key.charAt(0).toLowerCase() + key.slice(1),
        convert(item),
      ]),
    );
  }
  return value;
}
