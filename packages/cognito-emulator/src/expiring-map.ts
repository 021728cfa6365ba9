import type { Clock } from "./clock.ts";

/** A bounded map of short-lived entries (challenge sessions, SRP state, listing cursors). */
export class ExpiringMap<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
  ) {}

  set(key: string, value: T, ttlMs: number): void {
    if (this.entries.size >= this.capacity) {
      // Insertion order: the oldest entry goes first.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  /** The entry, or "expired", or undefined when never issued (or already used). */
  get(key: string): T | "expired" | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.clock.now()) return entry.value;
    this.entries.delete(key);
    return "expired";
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
