import { loadConfig, parseConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

const base = { store: ':memory:' };

test('proxy: true alone, as every existing config has it, trusts one hop', () => {
  expect(parseConfig({ ...base, proxy: true }).trustedProxyHops).toBe(1);
});

test('trustedProxyHops without proxy: true stops the start with a line saying what to do', () => {
  expect(() => parseConfig({ ...base, trustedProxyHops: 2 })).toThrow(ConfigError);
  expect(() => parseConfig({ ...base, trustedProxyHops: 2 })).toThrow(/trustedProxyHops \(KEYLINE_TRUSTED_PROXY_HOPS\): only means something behind a proxy: set proxy: true/);
});

test('a config written out with its defaults (trustedProxyHops: 1, no proxy) loads again', () => {
  const written = JSON.parse(JSON.stringify(parseConfig(base))) as Record<string, unknown>;
  expect(parseConfig(written).trustedProxyHops).toBe(1);
});

test('KEYLINE_TRUSTED_PROXY_HOPS sets it; a value that is not a whole number from 1 to 10 is named', () => {
  const env = { KEYLINE_CONFIG: '/dev/null', KEYLINE_STORE: ':memory:', KEYLINE_PROXY: 'true' };
  expect(loadConfig({ ...env, KEYLINE_TRUSTED_PROXY_HOPS: '2' }).trustedProxyHops).toBe(2);
  expect(() => loadConfig({ ...env, KEYLINE_TRUSTED_PROXY_HOPS: '0' })).toThrow(/trustedProxyHops \(KEYLINE_TRUSTED_PROXY_HOPS\)/);
});
