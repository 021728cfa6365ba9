import { appClientSettings, localPool, userPoolSettings } from "@gatehouse/pool-settings";

/** The emulator seed for the local stack: the production settings under fixed local ids. */
export function localSeed() {
  return {
    userPools: [
      {
        Id: localPool.userPoolId,
        PoolName: localPool.poolName,
        ...structuredClone(userPoolSettings),
        // A local pool must be deletable; production's is protected (pool-settings).
        DeletionProtection: "INACTIVE",
        Clients: [{ ClientId: localPool.clientId, ...structuredClone(appClientSettings) }],
      },
    ],
  };
}
