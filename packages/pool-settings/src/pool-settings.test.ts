import { describe, expect, it } from "vitest";
import { appClientSettings, localPool, userPoolSettings } from "./pool-settings.ts";

describe("pool settings", () => {
  it("uses identifiers of Cognito's own form for the local pool", () => {
    expect(localPool.userPoolId).toMatch(/^[a-z]{2}-[a-z]+-\d_[0-9a-zA-Z]{9}$/);
    expect(localPool.userPoolId.startsWith(`${localPool.region}_`)).toBe(true);
    expect(localPool.clientId).toMatch(/^[0-9a-z]{26}$/);
  });

  it("lets only the back end create accounts and signs people in by email", () => {
    expect(userPoolSettings.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(userPoolSettings.AliasAttributes).toEqual(["email"]);
    expect(userPoolSettings.UsernameConfiguration.CaseSensitive).toBe(false);
  });

  it("gives the browser client SRP and refresh, no secret, and hides user existence", () => {
    expect(appClientSettings.GenerateSecret).toBe(false);
    expect(appClientSettings.ExplicitAuthFlows).toContain("ALLOW_USER_SRP_AUTH");
    expect(appClientSettings.ExplicitAuthFlows).toContain("ALLOW_REFRESH_TOKEN_AUTH");
    expect(appClientSettings.ExplicitAuthFlows).not.toContain("ALLOW_USER_PASSWORD_AUTH");
    expect(appClientSettings.PreventUserExistenceErrors).toBe("ENABLED");
  });
});
