// Imported first by the Lambda entry: its top-level await holds back the modules imported after
// it, so the server's modules run only once DATABASE_URL (and REDIS_URL, if used) are set.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { resolveSecretUrl, secretUrls } from "./secret-urls.ts";

const secrets = new SecretsManagerClient({});
try {
  for (const url of secretUrls) {
    await resolveSecretUrl(process.env, url, async (secretArn) => {
      const result = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
      return result.SecretString;
    });
  }
} finally {
  secrets.destroy();
}
