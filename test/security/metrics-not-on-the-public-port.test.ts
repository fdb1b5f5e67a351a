/**
 * Issue 19, item 11: /metrics names every route family, counts sign-ins, failures and lockouts and
 * shows the process's resources. Nobody on the public port may read it by default: it is served on
 * `metrics.port`, bound to loopback unless the operator binds it elsewhere, or on the public port
 * behind `metrics.token` only.
 */
import { join } from 'node:path';
import { runMain } from '../support/run-main.ts';
import { startKeyline, temporaryDirectory } from '../support/start-keyline.ts';

test('by default the public port does not serve /metrics, whatever the request claims to come from', async () => {
  const kl = await startKeyline();
  try {
    for (const headers of [{}, { 'x-forwarded-for': '127.0.0.1' }, { accept: 'text/plain' }]) {
      const answer = await fetch(`${kl.url}/metrics`, { headers });
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toMatch(/keyline_http_requests_total|process_cpu/);
    }
  } finally {
    await kl.stop();
  }
});

test('metrics.port listens on loopback even when the server listens on every interface', async () => {
  const directory = temporaryDirectory();
  let listening: Record<string, unknown> | undefined;
  let publicStatus = 0;
  let metricsStatus = 0;
  try {
    await runMain({
      KEYLINE_CONFIG: '/dev/null', KEYLINE_STORE: join(directory.path, 'keyline.sqlite'), KEYLINE_HOST: '0.0.0.0', KEYLINE_METRICS_PORT: '0',
    }, async (url, _child, output) => {
      listening = output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.msg === 'Keyline is listening');
      publicStatus = (await fetch(`${url}/metrics`)).status;
      if (typeof listening?.metricsPort === 'number') metricsStatus = (await fetch(`http://127.0.0.1:${listening.metricsPort}/metrics`)).status;
    });
    expect(listening).toMatchObject({ host: '0.0.0.0', metricsHost: '127.0.0.1' });
    expect(publicStatus).toBe(404);
    expect(metricsStatus).toBe(200);
  } finally {
    directory.remove();
  }
});

test('with metrics.token, the public port serves /metrics to the bearer of the token only', async () => {
  const token = 'a-metrics-token-of-some-length';
  const kl = await startKeyline({ config: { metrics: { token } } });
  try {
    expect((await fetch(`${kl.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${kl.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  } finally {
    await kl.stop();
  }
});
