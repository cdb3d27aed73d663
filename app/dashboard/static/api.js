// The statistics API, called with the key from the login form (kept in sessionStorage only).

const KEY = "motcua.key";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  login: (key) => sessionStorage.setItem(KEY, key),
  logout: () => sessionStorage.removeItem(KEY),
};

export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of [].concat(value)) if (v !== undefined && v !== null) query.append(name, v);
  }
  const response = await fetch(`/api/v1/${path}?${query}`, {
    headers: { "X-API-Key": session.key() || "", Accept: "application/json" },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** Every page of a listing that pages with next_cursor. */
export async function all(path, params = {}) {
  const items = [];
  let cursor;
  do {
    const page = await get(path, { ...params, limit: 5000, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}
