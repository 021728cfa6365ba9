// Imported first by the Lambda entry: its top-level await holds back the modules imported after
// it, so the server's modules run only once DATABASE_URL is set.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { resolveDatabaseUrl } from "./database-url.ts";

await resolveDatabaseUrl(process.env, async (secretArn) => {
  const secrets = new SecretsManagerClient({});
  try {
    const result = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return result.SecretString;
  } finally {
    secrets.destroy();
  }
});
