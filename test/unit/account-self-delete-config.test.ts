import { parseConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { configSchema } from '../../src/config/schema.ts';

const base = { store: ':memory:' };

test('account.selfDelete is off unless the operator turns it on', () => {
  expect(parseConfig(base).account).toEqual({ selfDelete: false, dataExportAuditEvents: 10_000 });
  expect(parseConfig({ ...base, account: { selfDelete: true } }).account.selfDelete).toBe(true);
});

test('a misspelt or mistyped account key stops the start, naming it', () => {
  expect(() => parseConfig({ ...base, account: { selfDelete: 'yes' } })).toThrow(ConfigError);
  expect(() => parseConfig({ ...base, account: { selfDelete: 'yes' } })).toThrow(/account\.selfDelete/);
  expect(() => parseConfig({ ...base, account: { selfdelete: true } })).toThrow(/selfdelete/);
});

test('the key is described for the generated configuration reference', () => {
  const account = configSchema.shape.account;
  expect(account.description).toMatch(/account area/);
  expect(account.unwrap().shape.selfDelete.description).toMatch(/Delete my account/);
});
