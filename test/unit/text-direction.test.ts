import { textDirection } from '../../src/i18n/text-direction.ts';

test.each([['ar', 'rtl'], ['he', 'rtl'], ['fa', 'rtl'], ['ur', 'rtl'], ['ar-EG', 'rtl'], ['AR', 'rtl'], ['fa_IR', 'rtl']])('%s is written %s', (locale, direction) => {
  expect(textDirection(locale)).toBe(direction);
});

test.each([['en', 'ltr'], ['de', 'ltr'], ['fr', 'ltr'], ['es', 'ltr'], ['pt-BR', 'ltr'], ['ja', 'ltr'], ['arn', 'ltr'], ['hr', 'ltr']])('%s is written %s', (locale, direction) => {
  expect(textDirection(locale)).toBe(direction);
});
