import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
// /metrics is on a port of its own (loopback), as an operator would serve it: never anonymous on the public port.
beforeAll(async () => { kl = await startKeyline({ config: { metrics: { port: 0 } } }); });
afterAll(() => kl.stop());

test('/healthz and /readyz answer while the store answers', async () => {
  expect((await fetch(`${kl.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${kl.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', store: 'sqlite' });
});

test('/metrics counts requests per route family without raw paths', async () => {
  await fetch(`${kl.url}/jwks`);
  await fetch(`${kl.url}/interaction/some-secret-looking-id`);
  const text = await (await fetch(kl.metricsUrl!)).text();
  expect(text).toMatch(/keyline_http_requests_total\{method="GET",route="\/jwks",status="2xx"\} [1-9]/);
  expect(text).toMatch(/route="\/interaction"/);
  expect(text).not.toContain('some-secret-looking-id');
  expect(text).toContain('keyline_http_request_duration_seconds_bucket');
});

test('/readyz reports not ready once the store stops answering', async () => {
  const other = await startKeyline();
  await other.store.close();
  const ready = await fetch(`${other.url}/readyz`);
  expect(ready.status).toBe(503);
  expect((await ready.json() as { status: string }).status).toBe('not ready');
  await other.stop();
});
