// The scheduled reconcile function's entry point: DATABASE_URL is resolved during the init phase,
// then the server's reconcile handler is loaded (the same order as the API's entry).
import "./load-secret-urls.ts";

export { handler } from "@gatehouse/server/lambda-reconcile";
