import { randomUUID } from 'node:crypto';
import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { AuditEventRecord } from '../../src/store/store.ts';

/**
 * A person writes their own audit history: every profile save and every download is an event,
 * unthrottled. "Download my data" read all of it, 500 at a time, into one document: measured at
 * 100,000 events, one download took 22.7 s (each page sorted every matching event again) and 250 MB,
 * a 37 MB file, and twenty at once would take a node down. The file now holds the newest
 * `account.dataExportAuditEvents` events (one bounded query; 10,000 by default, a small bound here so
 * the test writes a short history) and says when older ones were left out.
 */
const backends = await allBackends();
const AT_MOST = 300;
afterAll(stopMongoTestServer);

describe.each(backends)('the size of "Download my data" on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { account: { dataExportAuditEvents: AT_MOST } } }, (ready) => { ({ kl } = ready); });

  test('a history longer than the bound: the newest events, and the file says older ones were left out', async () => {
    const user = await createTestUser(kl);
    // A long history as the profile page writes it (written straight to the store: hundreds of form posts would only be slower).
    const start = Date.now() - 3_600_000;
    const extra = 25;
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < AT_MOST + extra; i += 1) {
      const occurredAt = new Date(start + i * 10);
      const event: AuditEventRecord = {
        id: `${occurredAt.getTime().toString(16).padStart(12, '0')}-${randomUUID()}`, occurredAt, type: 'account.profile_updated', actor: `user:${user.id}`,
        accountId: user.id, email: user.email, clientId: null, requestId: randomUUID(), ip: '192.0.2.1', data: { changed: ['nickname'], n: i },
        seq: null, prevHash: null, hash: null,
      } as AuditEventRecord;
      writes.push(kl.store.audit.append(event));
      if (writes.length === 200) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);

    const pages = new AccountPages(kl);
    await pages.open('/account/data');
    await pages.signIn(user);
    await pages.open('/account/data');
    const answer = await pages.browser.postForm(`${kl.url}/account/data/download`, { csrf: hiddenField(pages.page.text, 'csrf') ?? '' });
    expect(answer.status).toBe(200);
    const document = JSON.parse(answer.text) as { auditEvents: Array<{ type: string; data: { n?: number } }>; auditEventsLeftOut: boolean };
    expect(document.auditEvents).toHaveLength(AT_MOST);
    expect(document.auditEventsLeftOut).toBe(true);
    // The newest, oldest first: the sign-in just now is the last one, and the very first writes are the ones left out.
    expect(document.auditEvents.at(-1)!.type).toBe('login.succeeded');
    const numbered = document.auditEvents.flatMap((event) => (typeof event.data.n === 'number' ? [event.data.n] : []));
    expect(numbered[0]).toBeGreaterThan(extra - 2);
    expect(numbered).toEqual([...numbered].sort((a, b) => a - b));
  });

  test('a short history is whole, and says so', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/data');
    await pages.signIn(user);
    await pages.open('/account/data');
    const answer = await pages.browser.postForm(`${kl.url}/account/data/download`, { csrf: hiddenField(pages.page.text, 'csrf') ?? '' });
    const document = JSON.parse(answer.text) as { auditEvents: Array<{ type: string }>; auditEventsLeftOut: boolean };
    expect(document.auditEventsLeftOut).toBe(false);
    expect(document.auditEvents.map((event) => event.type)).toContain('login.succeeded');
  });
});
