/** The test client (src/testing.ts): what an app's tests rely on, read through observeAuth like a real client. */
import { describe, expect, it } from 'vitest';
import { AuthError, observeAuth } from '../../src/index.js';
import { createTestClient } from '../../src/testing.js';

describe('createTestClient', () => {
  it('starts signed in or out as asked, with no loading and no network', async () => {
    expect(observeAuth(createTestClient()).getState()).toEqual({ status: 'signed-out', session: null, silentRenewal: 'iframe', error: null });
    const client = createTestClient({ session: { accessToken: 'tok' } });
    expect(observeAuth(client).getState()).toMatchObject({ status: 'signed-in', session: { accessToken: 'tok', claims: { sub: 'test-user' } } });
    expect(await client.getAccessToken()).toBe('tok');
    await observeAuth(client).ready;
  });

  it('is driven by the test: sign in, renew, fail, sign out, each told to subscribers and as events', async () => {
    const client = createTestClient();
    const states: string[] = [];
    const events: string[] = [];
    observeAuth(client).subscribe(() => states.push(observeAuth(client).getState().status));
    for (const e of ['token', 'logout', 'renewError'] as const) client.on(e, () => events.push(e));
    client.signIn();
    const { accessToken } = await client.renew();
    expect(await client.getAccessToken()).toBe(accessToken);
    client.fail(new AuthError('login_required', 'x'));
    expect(observeAuth(client).getState().error?.code).toBe('login_required');
    await client.logout({ endSession: false });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(states).toEqual(['signed-in', 'signed-in', 'signed-in', 'signed-out']);
    expect(events).toEqual(['token', 'token', 'renewError', 'logout']);
    expect(client.calls).toEqual([{ method: 'logout', options: { endSession: false } }]);
  });
});
