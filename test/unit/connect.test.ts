import { describe, expect, it } from 'vitest';
import { AuthError, connectApiUrl, connectAuthority, connectBaseUrl, createConnectClient } from '../../src/index.js';
import { FakeProvider, REDIRECT_URI } from './support/fake-provider.js';
import { useWorld } from './support/world.js';

const w = useWorld();

const configError = (f: () => unknown): AuthError => {
  try {
    f();
  } catch (e) {
    return e as AuthError;
  }
  throw new Error('no error thrown');
};

describe('connectBaseUrl / connectAuthority', () => {
  it.each(['uswe', 'euno', 'auea', 'jpea'] as const)('knows the region %s', (region) => {
    expect(connectBaseUrl(region)).toBe(`https://${region}.datahub.connect.aveva.com`);
    expect(connectBaseUrl({ region })).toBe(`https://${region}.datahub.connect.aveva.com`);
    expect(connectAuthority({ region })).toBe(`https://${region}.datahub.connect.aveva.com/identity`);
  });

  it('rejects an unknown region with invalid_config', () => {
    const err = configError(() => connectBaseUrl({ region: 'mars' as never }));
    expect(err.code).toBe('invalid_config');
    expect(err.message).toContain('mars');
  });

  it('takes a custom host as a bare name or a URL, keeping only its origin', () => {
    expect(connectBaseUrl({ host: 'dev.datahub.example.com' })).toBe('https://dev.datahub.example.com');
    expect(connectBaseUrl({ host: 'https://dev.datahub.example.com/identity/' })).toBe('https://dev.datahub.example.com');
    expect(connectAuthority({ host: 'dev.datahub.example.com:8443' })).toBe('https://dev.datahub.example.com:8443/identity');
  });

  it('allows plain http only for a loopback stand-in, never across a network', () => {
    expect(connectBaseUrl({ host: 'http://localhost:8080' })).toBe('http://localhost:8080');
    expect(configError(() => connectBaseUrl({ host: 'http://dev.datahub.example.com' })).code).toBe('invalid_config');
  });

  it.each(['', 'https://', 'not a host', 'javascript:alert(1)', 'ftp://files.example'])('rejects the host %j with invalid_config', (host) => {
    expect(configError(() => connectBaseUrl({ host })).code).toBe('invalid_config');
  });
});

describe('connectApiUrl', () => {
  it('builds tenant and namespace routes, each segment encoded', () => {
    const tenantId = '0c9a2f1e-1111-2222-3333-444455556666';
    expect(connectApiUrl({ region: 'uswe', tenantId }, 'Namespaces')).toBe(
      `https://uswe.datahub.connect.aveva.com/api/v1/Tenants/${tenantId}/Namespaces`,
    );
    expect(connectApiUrl({ region: 'euno', tenantId, namespace: 'prod', version: 'v1-preview' }, 'Streams', 'pump 1/flow')).toBe(
      `https://euno.datahub.connect.aveva.com/api/v1-preview/Tenants/${tenantId}/Namespaces/prod/Streams/pump%201%2Fflow`,
    );
  });

  it('encodes a tenant or namespace that would change the path', () => {
    const url = connectApiUrl({ host: 'dev.example.com', tenantId: '../admin', namespace: 'a?b' });
    expect(url).toBe('https://dev.example.com/api/v1/Tenants/..%2Fadmin/Namespaces/a%3Fb');
  });

  // encodeURIComponent leaves "." and "..", and URL parsing resolves "%2E%2E" as ".." too: a segment that is
  // exactly ".." (an ID taken from input) would move the request, with the bearer token, to another route.
  it.each(['..', '.', ''])('refuses the path segment %j instead of letting it climb out of its route', (segment) => {
    expect(() => connectApiUrl({ region: 'uswe', tenantId: 't', namespace: 'prod' }, 'Streams', segment, 'Data')).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => connectApiUrl({ region: 'uswe', tenantId: 't', namespace: segment })).toThrow(AuthError);
  });
});

describe('createConnectClient', () => {
  it("logs in at the region's identity authority with scope openid ocsapi and the tenant", async () => {
    w.provider = new FakeProvider('https://uswe.datahub.connect.aveva.com/identity').install();
    const client = createConnectClient({ region: 'uswe', tenantId: 'tenant-1', clientId: 'connect-app', redirectUri: REDIRECT_URI, shareAcrossTabs: false });
    try {
      await client.login();
      const url = new URL(String(w.nav.mock.calls[0]![0]));
      expect(url.href.startsWith('https://uswe.datahub.connect.aveva.com/identity/authorize?')).toBe(true);
      expect(url.searchParams.get('scope')).toBe('openid ocsapi');
      expect(url.searchParams.get('acr_values')).toBe('tenant:tenant-1');
      expect(url.searchParams.get('client_id')).toBe('connect-app');
      expect(w.provider.discoveryRequests).toHaveLength(1);
    } finally {
      client.dispose();
    }
  });

  it('takes a custom host and scope', async () => {
    w.provider = new FakeProvider('https://dev.datahub.example.com/identity').install();
    const client = createConnectClient({
      host: 'dev.datahub.example.com',
      tenantId: 't',
      clientId: 'c',
      redirectUri: REDIRECT_URI,
      scope: 'openid ocsapi offline_access',
      shareAcrossTabs: false,
    });
    try {
      await client.login();
      const url = new URL(String(w.nav.mock.calls[0]![0]));
      expect(url.origin).toBe('https://dev.datahub.example.com');
      expect(url.searchParams.get('scope')).toBe('openid ocsapi offline_access');
    } finally {
      client.dispose();
    }
  });

  it('rejects a missing tenant with invalid_config', () => {
    const err = configError(() => createConnectClient({ region: 'uswe', tenantId: '', clientId: 'c', redirectUri: REDIRECT_URI }));
    expect(err.code).toBe('invalid_config');
  });
});
