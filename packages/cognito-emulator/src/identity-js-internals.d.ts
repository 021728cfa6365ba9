// Types for the two internal modules of amazon-cognito-identity-js that the SRP round-trip test
// drives directly (the package ships no declarations for them).
declare module "amazon-cognito-identity-js/lib/AuthenticationHelper.js" {
  export default class AuthenticationHelper {
    constructor(poolName: string);
    getLargeAValue(
      callback: (error: unknown, A: { toString(radix: number): string }) => void,
    ): void;
    getPasswordAuthenticationKey(
      username: string,
      password: string,
      serverB: unknown,
      salt: unknown,
      callback: (error: unknown, key: Buffer) => void,
    ): void;
  }
}

declare module "amazon-cognito-identity-js/lib/BigInteger.js" {
  export default class BigInteger {
    constructor(value: string, radix: number);
  }
}
