import { readCatalogues } from '../../src/i18n/i18n.ts';
import { USER_CODE_ERRORS } from '../../src/oidc/device-flow/user-code-pages.ts';
import { LOCALES_DIRECTORY } from '../../src/paths.ts';

const catalogues = readCatalogues(LOCALES_DIRECTORY) as Record<string, { device?: { error?: Record<string, unknown> } }>;

// The user-code page looks its error sentence up by name (`device.error.<kind>`), which the generic
// catalogue check cannot see in the template: every kind must be there, in every language.
test.each(Object.keys(catalogues))('the %s catalogue says every way a user code can be refused', (locale) => {
  const errors = catalogues[locale]!.device?.error ?? {};
  expect(USER_CODE_ERRORS.filter((kind) => typeof errors[kind] !== 'string' || !errors[kind])).toEqual([]);
});
