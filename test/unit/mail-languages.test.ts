import { I18n } from '../../src/i18n/i18n.ts';
import { MAIL_TEMPLATES, MailRenderer } from '../../src/mail/mail-renderer.ts';
import { LayeredViews } from '../../src/pages/layered-views.ts';
import { LOCALES_DIRECTORY, VIEWS_DIRECTORY } from '../../src/paths.ts';

const renderer = new MailRenderer(new LayeredViews([VIEWS_DIRECTORY]), new I18n(LOCALES_DIRECTORY, 'en', { product: 'Acme ID' }), {
  productName: 'Acme ID', primaryColor: '#2457d6', onPrimaryColor: '#ffffff', issuer: 'https://id.example.com',
});
const locals = { name: 'Ada', link: 'https://id.example.com/password/reset?token=x', count: 30, minutes: 30, hours: 24, when: '7 December 2026' };

test.each(MAIL_TEMPLATES)('every shipped language renders the %s message, in its own language and direction', (template) => {
  for (const locale of ['en', 'de', 'fr', 'es', 'it', 'pt-BR', 'ja', 'ar']) {
    const mail = renderer.render(template, 'ada@example.test', locale, locals);
    expect(mail.html).toContain(`<html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}">`);
    expect(mail.subject).not.toMatch(/^mail\./);
    expect(mail.text).not.toMatch(/\bmail\.[\w-]+\.\w+/);
  }
});

test('a stored tag Keyline has only a neighbour of gets that neighbour (pt-PT → pt-BR), an unknown one the default', () => {
  expect(renderer.render('reset-password', 'ada@example.test', 'pt-PT', locals).subject).toBe('Redefina sua senha');
  expect(renderer.render('reset-password', 'ada@example.test', 'ar-EG', locals).html).toContain('dir="rtl"');
  expect(renderer.render('reset-password', 'ada@example.test', 'zh', locals).html).toContain('<html lang="en" dir="ltr">');
});
