// Calls to the accounts API with the access token; one refresh and retry on a 401.
import { currentSession, loadConfig, refreshSession } from "./session.ts";

export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field?: string; rule?: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

async function parse(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = (body ?? {}) as Partial<Problem>;
    throw new ApiError({
      status: response.status,
      code: problem.code ?? "internal",
      detail: problem.detail ?? "Something went wrong.",
      ...(problem.errors ? { errors: problem.errors } : {}),
    });
  }
  return body;
}

export async function api(
  path: string,
  init: { method?: string; body?: unknown; auth?: boolean } = {},
): Promise<unknown> {
  const { apiBaseUrl } = await loadConfig();
  const send = async (token: string | null) => {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    return fetch(`${apiBaseUrl}${path}`, {
      method: init.method ?? "GET",
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  };
  if (init.auth === false) return parse(await send(null));
  const session = await currentSession();
  if (!session) throw new ApiError({ status: 401, code: "unauthorized", detail: "Sign in first." });
  let response = await send(session.getAccessToken().getJwtToken());
  if (response.status === 401) {
    const fresh = await refreshSession();
    if (fresh) response = await send(fresh.getAccessToken().getJwtToken());
  }
  return parse(response);
}
