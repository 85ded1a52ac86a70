// A protected sample API shaped like CONNECT's: `GET /api/v1/Tenants/{tenantId}/Namespaces` answers fake namespaces
// for a valid bearer token and 401 otherwise. The demo's access tokens are opaque, so the API validates one the way
// an introspecting resource server would: by looking it up in the provider that issued it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

export const NAMESPACES_ROUTE = /^\/api\/v1\/Tenants\/([^/]+)\/Namespaces$/;

export interface ApiCall {
  status: number;
  path: string;
  /** The token's user, where the token was valid. */
  user?: string | undefined;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
};

/** RFC 6750 §3: a 401 names the scheme, and the error when a token was sent but is no good. */
const unauthorized = (res: ServerResponse, error?: string) =>
  json(res, 401, { error: error ?? 'unauthorized' }, {
    'WWW-Authenticate': error ? `Bearer realm="connect-pkce-demo", error="${error}"` : 'Bearer realm="connect-pkce-demo"',
  });

/**
 * Answers the API routes; returns false for any other path. `onCall` hears every answer (the demo logs them).
 * CONNECT also checks that the token belongs to the tenant in the path; this demo accepts any tenant.
 */
export function sampleApi(provider: Provider, onCall: (c: ApiCall) => void = () => {}) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (!path.startsWith('/api/')) return false;
    // Pages of another origin may call it with a token (the Angular example calls it by another host name).
    const origin = req.headers.origin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    if (req.method === 'OPTIONS' && origin) {
      res.writeHead(204, { 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Allow-Methods': 'GET' }).end();
      return true;
    }
    const route = NAMESPACES_ROUTE.exec(path);
    const report = (status: number, user?: string) => onCall({ status, path, user });
    if (!route) {
      json(res, 404, { error: 'not_found' });
      report(404);
      return true;
    }
    if (req.method !== 'GET') {
      json(res, 405, { error: 'method_not_allowed' }, { Allow: 'GET' });
      report(405);
      return true;
    }
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    if (!value || scheme?.toLowerCase() !== 'bearer') {
      unauthorized(res);
      report(401);
      return true;
    }
    // find() returns nothing for an unknown or expired token.
    const token = await provider.AccessToken.find(value);
    if (!token) {
      unauthorized(res, 'invalid_token');
      report(401);
      return true;
    }
    if (!String(token.scope ?? '').split(' ').includes('ocsapi')) {
      json(res, 403, { error: 'insufficient_scope' }, { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="ocsapi"' });
      report(403, token.accountId);
      return true;
    }
    const tenantId = decodeURIComponent(route[1]!);
    const namespaces = ['production', 'staging', 'sandbox'].map((id) => ({
      Id: id,
      Description: `Fake ${id} namespace of tenant ${tenantId}`,
      Region: 'local',
      State: 'Active',
    }));
    json(res, 200, namespaces);
    report(200, token.accountId);
    return true;
  };
}
