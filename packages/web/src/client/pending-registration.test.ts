import { describe, expect, it } from "vitest";
import { forgetPending, pendingIdFor, rememberPending } from "./pending-registration.ts";

/** The Web Storage interface over a Map, as a browser's localStorage behaves. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}

const HOUR = 60 * 60 * 1000;

describe("pending registrations", () => {
  it("finds the id for the email however it is typed, until it is forgotten", () => {
    const store = memoryStorage();
    rememberPending("Ada@Example.com", "id-ada", store, 0);
    rememberPending("grace@example.com", "id-grace", store, 0);
    expect(pendingIdFor("  ada@example.COM ", store, HOUR)).toBe("id-ada");
    expect(pendingIdFor("nobody@example.com", store, HOUR)).toBeNull();

    forgetPending("ADA@example.com", store, HOUR);
    expect(pendingIdFor("ada@example.com", store, HOUR)).toBeNull();
    expect(pendingIdFor("grace@example.com", store, HOUR)).toBe("id-grace");
    forgetPending("grace@example.com", store, HOUR);
    expect(store.length).toBe(0);
  });

  it("keeps the latest registration of an email, and none older than a day", () => {
    const store = memoryStorage();
    rememberPending("ada@example.com", "first", store, 0);
    rememberPending("ada@example.com", "second", store, HOUR);
    expect(pendingIdFor("ada@example.com", store, 2 * HOUR)).toBe("second");
    expect(pendingIdFor("ada@example.com", store, 25 * HOUR)).toBeNull();
  });

  it("ignores what it cannot read instead of failing the sign-in", () => {
    const store = memoryStorage();
    store.setItem("gatehouse.pending-registrations", "{not json");
    expect(pendingIdFor("ada@example.com", store, 0)).toBeNull();
    store.setItem(
      "gatehouse.pending-registrations",
      JSON.stringify({ "ada@example.com": { id: 42 }, "bob@example.com": null }),
    );
    expect(pendingIdFor("ada@example.com", store, 0)).toBeNull();
    rememberPending("bob@example.com", "id-bob", store, 0);
    expect(pendingIdFor("bob@example.com", store, 0)).toBe("id-bob");
    expect(pendingIdFor("ada@example.com", null, 0)).toBeNull();
  });
});
