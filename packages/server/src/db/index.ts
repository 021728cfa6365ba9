export type { Account, AccountStatus, AccountStore, ChangeListener } from "./account-store.ts";
export { EmailTakenError } from "./account-store.ts";
export { type OpenStoreOptions, openAccountStore } from "./open-store.ts";
