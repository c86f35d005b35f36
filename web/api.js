// The inbox's one way to the API: the bearer token from sign-in, JSON in and out, and a refusal
// (problem+json) thrown as an ApiError that pages show as it is.

const TOKEN_KEY = 'custodian.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export const session = {
  token: () => localStorage.getItem(TOKEN_KEY),
  signIn: (token) => localStorage.setItem(TOKEN_KEY, token),
  signOut: () => localStorage.removeItem(TOKEN_KEY),
};

/** Calls the API; the parsed JSON (or the text of another type), with the HTTP status. */
export async function call(path, { method = 'GET', body, token = session.token() } = {}) {
  const headers = { accept: 'application/json, application/xml;q=0.9' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401 && token) window.dispatchEvent(new Event('custodian:unauthorized'));
    throw new ApiError(response.status, typeof data === 'object' ? data : { title: data });
  }
  return { status: response.status, data };
}

export const get = async (path) => (await call(path)).data;

/** A path with a query string from the defined values of `query`. */
export function withQuery(path, query) {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined && value !== ''));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
