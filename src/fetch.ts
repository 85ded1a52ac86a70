/**
 * `fetch` with `Authorization: Bearer <token>` (RFC 6750 §2.1). On a 401 it asks for a renewed token once and
 * retries once (the request is cloned, so a body is sent again); any other status passes through untouched.
 */
export async function authorizedFetch(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  token: () => Promise<string>,
  renewed: () => Promise<string>,
): Promise<Response> {
  const request = new Request(input, init);
  const send = (t: string) => {
    const r = request.clone();
    r.headers.set('Authorization', `Bearer ${t}`);
    return fetch(r);
  };
  const res = await send(await token());
  return res.status === 401 ? send(await renewed()) : res;
}
