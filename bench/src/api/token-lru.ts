// The "≈30-line LRU of verified tokens" a Fastify + aws-jwt-verify service would write: a Map in
// insertion order, refreshed on each hit, the oldest dropped when full, entries dead at `exp`.
export class TokenLru<T> {
  private readonly entries = new Map<string, { value: T; exp: number }>();

  constructor(private readonly capacity: number) {}

  get(token: string, nowSeconds: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (entry.exp <= nowSeconds) return undefined;
    this.entries.set(token, entry);
    return entry.value;
  }

  set(token: string, value: T, exp: number): void {
    this.entries.delete(token);
    this.entries.set(token, { value, exp });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
