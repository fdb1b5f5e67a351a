import type { Finding } from '../../src/cli/doctor-findings.ts';
import { REDIRECT_URI, registerTestClient } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';
import { selfSignedCertificate, startTlsProxy, type SelfSignedCertificate, type TlsProxy } from '../support/tls-proxy.ts';

let directory: ReturnType<typeof temporaryDirectory>;
let certificate: SelfSignedCertificate;
beforeAll(() => {
  directory = temporaryDirectory();
  certificate = selfSignedCertificate(directory.path);
});
afterAll(() => directory.remove());

interface Deployment {
  proxy: TlsProxy;
  kl: RunningKeyline;
  clientId: string;
  stop(): Promise<void>;
}

/** Keyline behind the TLS proxy, configured as the README says (https issuer, proxy: true), unless told otherwise. */
async function deploy(options: { issuer?: (proxyUrl: string) => string; passClientProto?: boolean } = {}): Promise<Deployment> {
  const proxy = await startTlsProxy(certificate, { passClientProto: options.passClientProto });
  const kl = await startKeyline({ config: { issuer: options.issuer?.(proxy.url) ?? proxy.url, proxy: true } });
  proxy.target.port = Number(new URL(kl.url).port);
  const { clientId } = await registerTestClient(kl);
  return { proxy, kl, clientId, stop: async () => { await proxy.stop(); await kl.stop(); } };
}

function doctor(deployment: Deployment, extra: string[] = []) {
  return runCli(deployment.kl, [
    'doctor', '--url', deployment.proxy.url, '--client-id', deployment.clientId, '--redirect-uri', REDIRECT_URI,
    '--http-url', deployment.proxy.httpUrl, ...extra,
  ], '', { NODE_EXTRA_CA_CERTS: certificate.certFile });
}

const statusOf = (findings: Finding[], check: string) => findings.find((finding) => finding.check === check)?.status;

test('a deployment set up as the README says passes every check, one ok line each', async () => {
  const deployment = await deploy();
  try {
    const result = await doctor(deployment);
    if (process.env.SHOW_DOCTOR) process.stdout.write(result.stdout);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    for (const check of ['discovery', 'issuer', 'endpoints', 'TLS certificate', 'clock skew', 'JWKS', 'X-Forwarded-Proto', 'http → https', 'HSTS', 'cookie flags', 'store', 'store indexes', 'key age', 'JWKS vs store']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ok    ${check.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `)));
    }
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
  } finally {
    await deployment.stop();
  }
});

test('a planted issuer mismatch is a FAIL line with the fix, and the exit code is non-zero', async () => {
  const deployment = await deploy({ issuer: () => 'https://id.example.test' });
  try {
    const result = await doctor(deployment);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAIL  issuer: discovery says "https://id.example.test", but it is served at ${deployment.proxy.url} — fix: set issuer (KEYLINE_ISSUER) to exactly ${deployment.proxy.url}`);
    // Every URL Keyline builds comes from the issuer, so the endpoints it lists are the wrong origin too.
    expect(result.stderr).toMatch(/^keyline: \d+ check\(s\) failed\n$/);

    const json = await doctor(deployment, ['--json']);
    const findings = JSON.parse(json.stdout) as Finding[];
    expect(statusOf(findings, 'issuer')).toBe('FAIL');
    expect(statusOf(findings, 'endpoints')).toBe('FAIL');
    expect(statusOf(findings, 'TLS certificate')).toBe('ok');
    expect(json.code).toBe(1);
  } finally {
    await deployment.stop();
  }
});

test('a proxy that passes a client\'s X-Forwarded-Proto through cannot downgrade the endpoints: they come from the issuer', async () => {
  const deployment = await deploy({ passClientProto: true });
  try {
    const result = await doctor(deployment, ['--json']);
    const findings = JSON.parse(result.stdout) as Finding[];
    expect(statusOf(findings, 'X-Forwarded-Proto')).toBe('ok');
  } finally {
    await deployment.stop();
  }
});

test('a certificate this machine does not trust is a FAIL; without a client the cookie check is a warn', async () => {
  const deployment = await deploy();
  try {
    const untrusted = await runCli(deployment.kl, ['doctor', '--url', deployment.proxy.url, '--http-url', deployment.proxy.httpUrl, '--json']);
    const findings = JSON.parse(untrusted.stdout) as Finding[];
    expect(findings.find((finding) => finding.check === 'TLS certificate')).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/^not trusted/) });
    expect(statusOf(findings, 'cookie flags')).toBe('warn');
  } finally {
    await deployment.stop();
  }
});
