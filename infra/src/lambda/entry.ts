// The Lambda's entry point: DATABASE_URL (and REDIS_URL) are resolved during the init phase,
// then the server's handler is loaded. Static imports, in this order, rather than import(): the
// bundle then keeps only the AWS SDK commands the server uses, and the tests read them off it.
import "./load-secret-urls.ts";

export { handler } from "@gatehouse/server/lambda";
