// Live state in Maps, made durable by an append-only journal: every change is one JSON line written
// (writeSync) before the request that made it is answered, so an acknowledged write survives
// `kill -9`; `fsync: true` also survives power loss. Cost per operation does not grow with the pool.
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import path from "node:path";

export interface PoolRecord {
  id: string;
  name: string;
  /** The CreateUserPool request's settings, as given (minus PoolName). */
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface ClientRecord {
  poolId: string;
  clientId: string;
  clientSecret: string | null;
  /** The CreateUserPoolClient/UpdateUserPoolClient settings, as given. */
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type UserStatus = "FORCE_CHANGE_PASSWORD" | "CONFIRMED" | "RESET_REQUIRED" | "UNCONFIRMED";

export interface UserRecord {
  poolId: string;
  username: string;
  sub: string;
  attributes: Record<string, string>;
  enabled: boolean;
  status: UserStatus;
  /** SRP salt and verifier, hex; never the password. Null for a user with no password yet. */
  salt: string | null;
  verifier: string | null;
  passwordSetAt: number;
  groups: string[];
  /** Access tokens issued before this instant (ms) are refused by Cognito's own APIs. */
  tokensValidAfter: number;
  /** A pending ForgotPassword / AdminResetUserPassword code, hashed. */
  resetCode: PendingCode | null;
  /** A pending SignUp confirmation code, hashed (absent in journals written before sign-up existed). */
  confirmationCode?: PendingCode | null;
  /** A pending attribute verification code (GetUserAttributeVerificationCode, UpdateUserAttributes). */
  verificationCode?: AttributeCode | null;
  /**
   * An email waiting for its code before it replaces `attributes.email`, in a pool whose
   * `UserAttributeUpdateSettings` require verification before update.
   */
  pendingEmail?: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A code sent to the outbox: only its hash is kept. */
export interface PendingCode {
  /** Where the code went (absent: email, as before phone numbers were verified). */
  attribute?: "email" | "phone_number";
  hash: string;
  expiresAt: number;
  attempts: number;
}

/** A code that verifies one value of an attribute: a code sent to an older address proves nothing. */
export interface AttributeCode extends PendingCode {
  attribute: "email" | "phone_number";
  value: string;
}

export interface GroupRecord {
  poolId: string;
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RefreshRecord {
  /** SHA-256 of the token, hex: the token itself is never kept. */
  hash: string;
  poolId: string;
  clientId: string;
  userKey: string;
  originJti: string;
  authTime: number;
  expiresAt: number;
  /** Set once the token was rotated (GetTokensFromRefreshToken): it still works until then (ms). */
  rotatedUntil?: number;
}

type Entry =
  | { put: "pool"; v: PoolRecord }
  | { del: "pool"; id: string }
  | { put: "client"; v: ClientRecord }
  | { del: "client"; pool: string; id: string }
  | { put: "user"; v: UserRecord }
  | { del: "user"; pool: string; key: string }
  | { put: "group"; v: GroupRecord }
  | { del: "group"; pool: string; name: string }
  | { put: "refresh"; v: RefreshRecord }
  | { del: "refresh"; hash: string }
  | { put: "revoked"; jti: string; until: number };

/** Attributes that can sign a user in besides the username. */
export const SIGN_IN_ATTRIBUTES = ["email", "phone_number", "preferred_username"] as const;
export type SignInAttribute = (typeof SIGN_IN_ATTRIBUTES)[number];

export class PoolState {
  readonly clients = new Map<string, ClientRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly bySub = new Map<string, string>();
  readonly byEmail = new Map<string, string>();
  readonly byPhone = new Map<string, string>();
  readonly byPreferredUsername = new Map<string, string>();
  readonly groups = new Map<string, GroupRecord>();
  /** Group name → keys of its members (derived from the users' `groups`). */
  readonly members = new Map<string, Set<string>>();

  constructor(public record: PoolRecord) {}

  get caseSensitive(): boolean {
    const config = this.record.settings.UsernameConfiguration as
      | { CaseSensitive?: boolean }
      | undefined;
    return config?.CaseSensitive ?? true;
  }

  get emailIsAlias(): boolean {
    const aliases = this.record.settings.AliasAttributes;
    return Array.isArray(aliases) && aliases.includes("email");
  }

  /** `UsernameAttributes`: the addresses that stand in for a username (which is then the sub). */
  get usernameAttributes(): ("email" | "phone_number")[] {
    const names = this.record.settings.UsernameAttributes;
    return Array.isArray(names) ? names : [];
  }

  /** Whether the pool signs users in with `attribute` (an alias or a username attribute). */
  signsInWith(attribute: SignInAttribute): boolean {
    const aliases = this.record.settings.AliasAttributes;
    return (
      (this.usernameAttributes as string[]).includes(attribute) ||
      (Array.isArray(aliases) && aliases.includes(attribute))
    );
  }

  userKey(username: string): string {
    return this.caseSensitive ? username : username.toLowerCase();
  }

  /**
   * The value of `attribute` that signs this user in: an address standing in for the username
   * always, an email or phone alias only once verified, a `preferred_username` alias always.
   * Emails (and preferred usernames in a case-insensitive pool) are lower-cased.
   */
  addressOf(user: UserRecord, attribute: SignInAttribute): string | null {
    const value = user.attributes[attribute];
    if (!value || !this.signsInWith(attribute)) return null;
    if (attribute === "preferred_username") return this.userKey(value);
    if (
      !this.usernameAttributes.includes(attribute) &&
      user.attributes[`${attribute}_verified`] !== "true"
    ) {
      return null;
    }
    return attribute === "email" ? value.toLowerCase() : value;
  }

  /** The verified email that signs this user in, if the pool uses email as an alias. */
  aliasOf(user: UserRecord): string | null {
    return this.addressOf(user, "email");
  }

  /** The index of the values of `attribute` that sign users in. */
  addresses(attribute: SignInAttribute): Map<string, string> {
    if (attribute === "email") return this.byEmail;
    return attribute === "phone_number" ? this.byPhone : this.byPreferredUsername;
  }

  indexAddresses(user: UserRecord, key: string, present: boolean): void {
    for (const attribute of SIGN_IN_ATTRIBUTES) {
      const address = this.addressOf(user, attribute);
      if (address === null) continue;
      const index = this.addresses(attribute);
      if (present) index.set(address, key);
      else if (index.get(address) === key) index.delete(address);
    }
  }
}

export interface StoreOptions {
  /** Directory for the journal; null keeps everything in memory. */
  dataDir: string | null;
  /** fsync after every write, for durability across power loss (slower). */
  fsync?: boolean;
  /** Milliseconds since the epoch: what has expired is left out of a compacted journal. */
  now: () => number;
}

/**
 * The data directory holds password verifiers, refresh token hashes and the signing key: 0700, its
 * files 0600, even when it (or they) were made by something else, or by an older version.
 */
function keepPrivate(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isFile() && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

export class Store {
  private readonly pools = new Map<string, PoolState>();
  private readonly clientIndex = new Map<string, string>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly refreshByUser = new Map<string, Set<string>>();
  private readonly revoked = new Map<string, number>();
  private fd: number | null = null;
  private journalLines = 0;
  private readonly journalPath: string | null;

  constructor(private readonly options: StoreOptions) {
    this.journalPath = options.dataDir ? path.join(options.dataDir, "journal.jsonl") : null;
  }

  /** Replays the journal and compacts it when it has grown much larger than the state. */
  open(): void {
    if (this.journalPath === null || this.options.dataDir === null) return;
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    keepPrivate(this.options.dataDir);
    if (existsSync(this.journalPath)) {
      const text = readFileSync(this.journalPath, "utf8");
      const lines = text.split("\n");
      for (const [index, line] of lines.entries()) {
        if (line === "") continue;
        try {
          this.apply(JSON.parse(line) as Entry);
          this.journalLines++;
        } catch (error) {
          // Only a torn last line (a crash mid-write, never acknowledged) may be skipped.
          if (index < lines.length - 1 && lines.slice(index + 1).some((rest) => rest !== "")) {
            throw new Error(`Corrupt journal ${this.journalPath} at line ${index + 1}`, {
              cause: error,
            });
          }
        }
      }
    }
    if (this.journalLines > 2 * this.liveRecords() + 1000 || !existsSync(this.journalPath)) {
      this.compact();
      this.dropExpired();
    } else {
      this.fd = openSync(this.journalPath, "a", 0o600);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private liveRecords(): number {
    let count = this.refresh.size + this.revoked.size;
    for (const pool of this.pools.values()) {
      count += 1 + pool.clients.size + pool.users.size + pool.groups.size;
    }
    return count;
  }

  /** The live state as journal entries; expired refresh tokens and revocations are left out. */
  private *entries(now: number): Generator<Entry> {
    for (const pool of this.pools.values()) {
      yield { put: "pool", v: pool.record };
      for (const v of pool.clients.values()) yield { put: "client", v };
      for (const v of pool.groups.values()) yield { put: "group", v };
      for (const v of pool.users.values()) yield { put: "user", v };
    }
    for (const v of this.refresh.values()) if (v.expiresAt > now) yield { put: "refresh", v };
    for (const [jti, until] of this.revoked) if (until > now) yield { put: "revoked", jti, until };
  }

  /** Rewrites the journal as the current state, atomically (write a new file, then rename). */
  private compact(): void {
    if (this.journalPath === null) return;
    this.close();
    const temporary = `${this.journalPath}.compact`;
    const fd = openSync(temporary, "w", 0o600);
    let chunk: string[] = [];
    let lines = 0;
    for (const entry of this.entries(this.options.now())) {
      chunk.push(JSON.stringify(entry));
      lines++;
      if (chunk.length >= 1000) {
        writeSync(fd, `${chunk.join("\n")}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, `${chunk.join("\n")}\n`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.journalPath);
    this.journalLines = lines;
    this.fd = openSync(this.journalPath, "a", 0o600);
  }

  private write(entry: Entry): void {
    this.apply(entry);
    if (this.fd === null) return;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (this.options.fsync) fsyncSync(this.fd);
    this.journalLines++;
    // Rare and amortised: the journal must grow by several times the state between two rewrites.
    if (this.journalLines > 4 * this.liveRecords() + 100_000) {
      this.compact();
      this.dropExpired();
    }
  }

  /** Forgets refresh tokens and revocations that can no longer matter (after a compaction). */
  private dropExpired(): void {
    const now = this.options.now();
    for (const [hash, record] of this.refresh) {
      if (record.expiresAt <= now) this.apply({ del: "refresh", hash });
    }
    for (const [jti, until] of this.revoked) if (until <= now) this.revoked.delete(jti);
  }

  private apply(entry: Entry): void {
    if ("put" in entry) {
      switch (entry.put) {
        case "pool": {
          const existing = this.pools.get(entry.v.id);
          if (existing) existing.record = entry.v;
          else this.pools.set(entry.v.id, new PoolState(entry.v));
          return;
        }
        case "client":
          this.requirePool(entry.v.poolId).clients.set(entry.v.clientId, entry.v);
          this.clientIndex.set(entry.v.clientId, entry.v.poolId);
          return;
        case "group":
          this.requirePool(entry.v.poolId).groups.set(entry.v.name, entry.v);
          return;
        case "user":
          this.applyUser(entry.v);
          return;
        case "refresh": {
          this.refresh.set(entry.v.hash, entry.v);
          const owner = `${entry.v.poolId}/${entry.v.userKey}`;
          const set = this.refreshByUser.get(owner) ?? new Set<string>();
          set.add(entry.v.hash);
          this.refreshByUser.set(owner, set);
          return;
        }
        case "revoked":
          this.revoked.set(entry.jti, entry.until);
          return;
      }
    }
    switch (entry.del) {
      case "pool": {
        const pool = this.pools.get(entry.id);
        if (!pool) return;
        for (const id of pool.clients.keys()) this.clientIndex.delete(id);
        for (const key of pool.users.keys()) this.dropRefreshOf(entry.id, key);
        this.pools.delete(entry.id);
        return;
      }
      case "client": {
        this.pools.get(entry.pool)?.clients.delete(entry.id);
        if (this.clientIndex.get(entry.id) === entry.pool) this.clientIndex.delete(entry.id);
        return;
      }
      case "user": {
        const pool = this.pools.get(entry.pool);
        const user = pool?.users.get(entry.key);
        if (!pool || !user) return;
        pool.users.delete(entry.key);
        pool.bySub.delete(user.sub);
        pool.indexAddresses(user, entry.key, false);
        for (const group of user.groups) pool.members.get(group)?.delete(entry.key);
        this.dropRefreshOf(entry.pool, entry.key);
        return;
      }
      case "group": {
        const pool = this.pools.get(entry.pool);
        if (!pool) return;
        // Members lose the group; replaying this entry does the same, so it is not journaled per user.
        for (const key of pool.members.get(entry.name) ?? []) {
          const user = pool.users.get(key);
          if (user)
            pool.users.set(key, { ...user, groups: user.groups.filter((g) => g !== entry.name) });
        }
        pool.members.delete(entry.name);
        pool.groups.delete(entry.name);
        return;
      }
      case "refresh": {
        const record = this.refresh.get(entry.hash);
        if (!record) return;
        this.refresh.delete(entry.hash);
        this.refreshByUser.get(`${record.poolId}/${record.userKey}`)?.delete(entry.hash);
        return;
      }
    }
  }

  private applyUser(user: UserRecord): void {
    const pool = this.requirePool(user.poolId);
    const key = pool.userKey(user.username);
    const previous = pool.users.get(key);
    if (previous) {
      pool.indexAddresses(previous, key, false);
      for (const group of previous.groups) pool.members.get(group)?.delete(key);
    }
    pool.users.set(key, user);
    pool.bySub.set(user.sub, key);
    pool.indexAddresses(user, key, true);
    for (const group of user.groups) {
      const members = pool.members.get(group) ?? new Set<string>();
      members.add(key);
      pool.members.set(group, members);
    }
  }

  private dropRefreshOf(poolId: string, key: string): void {
    const owner = `${poolId}/${key}`;
    for (const hash of this.refreshByUser.get(owner) ?? []) this.refresh.delete(hash);
    this.refreshByUser.delete(owner);
  }

  private requirePool(id: string): PoolState {
    const pool = this.pools.get(id);
    if (!pool) throw new Error(`journal refers to unknown pool ${id}`);
    return pool;
  }

  // Reads

  pool(id: string): PoolState | undefined {
    return this.pools.get(id);
  }

  allPools(): PoolState[] {
    return [...this.pools.values()];
  }

  poolOfClient(clientId: string): PoolState | undefined {
    const poolId = this.clientIndex.get(clientId);
    return poolId === undefined ? undefined : this.pools.get(poolId);
  }

  refreshToken(hash: string): RefreshRecord | undefined {
    return this.refresh.get(hash);
  }

  refreshTokensOf(poolId: string, key: string): RefreshRecord[] {
    const hashes = this.refreshByUser.get(`${poolId}/${key}`) ?? new Set<string>();
    return [...hashes].flatMap((hash) => this.refresh.get(hash) ?? []);
  }

  isRevoked(originJti: string): boolean {
    return this.revoked.has(originJti);
  }

  // Writes

  putPool(record: PoolRecord): void {
    this.write({ put: "pool", v: record });
  }
  deletePool(id: string): void {
    this.write({ del: "pool", id });
  }
  putClient(record: ClientRecord): void {
    this.write({ put: "client", v: record });
  }
  deleteClient(poolId: string, clientId: string): void {
    this.write({ del: "client", pool: poolId, id: clientId });
  }
  putGroup(record: GroupRecord): void {
    this.write({ put: "group", v: record });
  }
  deleteGroup(poolId: string, name: string): void {
    this.write({ del: "group", pool: poolId, name });
  }
  putUser(record: UserRecord): void {
    this.write({ put: "user", v: record });
  }
  deleteUser(poolId: string, key: string): void {
    this.write({ del: "user", pool: poolId, key });
  }
  putRefreshToken(record: RefreshRecord): void {
    this.write({ put: "refresh", v: record });
  }
  deleteRefreshToken(hash: string): void {
    this.write({ del: "refresh", hash });
  }
  revokeOrigin(originJti: string, until: number): void {
    this.write({ put: "revoked", jti: originJti, until });
  }
}
