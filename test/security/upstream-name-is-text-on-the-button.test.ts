/**
 * An upstream's name is written by whoever may administer upstreams, and shown to everyone on the
 * login page. Markup in it stays text, and so do i18n placeholders and nesting (`{{product}}`,
 * `$t(...)`): the name is a value, never a template. The icon comes from the preset, never from the name.
 */
import { openLoginPage, registerTestClient } from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let kl: RunningKeyline;
beforeAll(async () => {
  kl = await startKeyline();
});
afterAll(() => kl?.stop());

test('markup, placeholders and nested keys in a name are shown as the characters they are', async () => {
  const name = '<img src=x onerror=alert(1)>"\'{{product}} $t(errors.home) ../../etc';
  await addUpstream(kl, { id: 'hostile', name, preset: 'google' });
  const { page } = await openLoginPage(kl, await registerTestClient(kl));
  const label = /<span class="kl-upstream-label">([^<]*)<\/span>/.exec(page.text)![1]!;
  expect(label).toBe("Continue with &lt;img src=x onerror=alert(1)&gt;&quot;'{{product}} $t(errors.home) ../../etc");
  expect(page.text).not.toContain('<img src=x');
  expect(page.text).not.toContain('Go to the start page');
  // A preset upstream renamed by its operator keeps the brand's mark beside its own name.
  expect(page.text).toContain('#4285F4');
});
