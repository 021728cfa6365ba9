// g^x mod N for exponents below 2^256 (SRP's x and b are SHA-256 outputs and 32 random bytes),
// from a precomputed table: 31 multiplications instead of ~300 in a square-and-multiply.
//
// Row i holds g^((d + 256) · 2^(8i)) for every byte value d, so g^x is the product of one entry
// per byte of x. The constant 256 offset keeps every factor a full-size number, so the work does
// not depend on which bytes of x are zero; row 0 also carries g^(-C) to cancel the offsets'
// sum C. That makes each row-0 entry g^(d + 256 - C), and the product over all rows exactly g^x.
//
// The table (32 rows × 256 entries, ~3 MB) is built a row at a time between other work, so
// nothing waits for it; until it is complete, callers use their slow path.

const WINDOW_BITS = 8;
const ENTRIES = 1 << WINDOW_BITS;
const ROWS = 256 / WINDOW_BITS;
/** The largest exponent the table covers, plus one. */
export const FIXED_BASE_LIMIT = 1n << 256n;

/** Sum of the offsets: 256 · 2^(8i) for every row i. */
const OFFSET_SUM = (() => {
  let sum = 0n;
  for (let row = 0; row < ROWS; row++) sum += BigInt(ENTRIES) << BigInt(WINDOW_BITS * row);
  return sum;
})();

export class FixedBaseTable {
  private readonly rows: bigint[][] = [];
  /** g^(2^(8i)) for the next row to build. */
  private rowBase: bigint;
  private building = false;

  /**
   * @param modulus N, prime.
   * @param base g.
   * @param slowPow g^e mod N by other means, for the one negative power the table needs.
   */
  constructor(
    private readonly modulus: bigint,
    base: bigint,
    private readonly slowPow: (exponent: bigint) => bigint,
  ) {
    this.rowBase = base % modulus;
  }

  get ready(): boolean {
    return this.rows.length === ROWS;
  }

  /** Adds one row; true when the table is complete. Each row is 256 multiplications (~3 ms). */
  buildRow(): boolean {
    if (this.ready) return true;
    const N = this.modulus;
    const b = this.rowBase;
    let next = b;
    for (let i = 0; i < WINDOW_BITS; i++) next = (next * next) % N;
    // The row starts at b^256 (= the next row's base) and steps by b.
    const row = new Array<bigint>(ENTRIES);
    row[0] =
      this.rows.length === 0
        ? // g^(N-1) = 1 (Fermat), so g^-C = g^((N-1) - C).
          (next * this.slowPow(N - 1n - OFFSET_SUM)) % N
        : next;
    for (let d = 1; d < ENTRIES; d++) row[d] = ((row[d - 1] as bigint) * b) % N;
    this.rows.push(row);
    this.rowBase = next;
    return this.ready;
  }

  /** Builds the rest of the table in the background, a row per turn of the event loop. */
  buildInBackground(): void {
    if (this.building || this.ready) return;
    this.building = true;
    const step = () => {
      if (!this.buildRow()) setImmediate(step).unref();
    };
    setImmediate(step).unref();
  }

  /** g^exponent mod N; the table must be complete and 0 <= exponent < 2^256. */
  pow(exponent: bigint): bigint {
    if (!this.ready) throw new Error("The fixed-base table is not built yet");
    if (exponent < 0n || exponent >= FIXED_BASE_LIMIT) {
      throw new RangeError("The exponent is outside the fixed-base table's range");
    }
    const N = this.modulus;
    const bytes = exponent.toString(16).padStart(64, "0");
    const rows = this.rows;
    // Row 0 takes the lowest byte, the last two hex digits.
    let result = (rows[0] as bigint[])[Number.parseInt(bytes.slice(62, 64), 16)] as bigint;
    for (let row = 1; row < ROWS; row++) {
      const at = 62 - 2 * row;
      const digit = Number.parseInt(bytes.slice(at, at + 2), 16);
      result = (result * ((rows[row] as bigint[])[digit] as bigint)) % N;
    }
    return result;
  }
}
