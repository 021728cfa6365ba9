// Secrets Manager's GetSecretValue for the secrets the template names, answered locally: the
// function's own start-up code (which reads DATABASE_URL from its secret) runs unchanged, pointed
// here by AWS_ENDPOINT_URL_SECRETS_MANAGER.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export async function startSecretsManager(
  secrets: ReadonlyMap<string, string>,
): Promise<{ url: string; reads: string[]; stop(): Promise<void> }> {
  const reads: string[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = (status: number, body: object) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(body));
    };
    if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      answer(400, { __type: "InvalidRequestException", message: "Only GetSecretValue is here" });
      return;
    }
    const { SecretId } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      SecretId?: string;
    };
    const value = SecretId === undefined ? undefined : secrets.get(SecretId);
    if (SecretId === undefined || value === undefined) {
      answer(400, {
        __type: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret.",
      });
      return;
    }
    reads.push(SecretId);
    answer(200, {
      ARN: SecretId,
      Name: SecretId.split(":secret:")[1]?.replace(/-[A-Za-z0-9]{6}$/, ""),
      SecretString: value,
      VersionId: "00000000-0000-0000-0000-000000000001",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: 1_700_000_000,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
