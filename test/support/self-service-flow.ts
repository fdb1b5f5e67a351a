import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import type { RunningKeyline } from './start-keyline.ts';

/** Opens a self-service form page (its cookie goes into the browser) and posts it with the page's CSRF token. */
export async function submitSelfServiceForm(
  kl: RunningKeyline, pagePath: string, form: Record<string, string>, browser = new BrowserLikeClient(),
): Promise<{ page: Response; answer: Response; browser: BrowserLikeClient }> {
  const page = await browser.get(new URL(pagePath, kl.url).href);
  if (page.status !== 200) throw new Error(`GET ${pagePath} answered ${page.status}: ${page.text.slice(0, 300)}`);
  const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1];
  if (!action) throw new Error(`no form on ${pagePath}`);
  const answer = await browser.postForm(new URL(action, kl.url).href, {
    csrf: hiddenField(page.text, 'csrf') ?? '', ...(hiddenField(page.text, 'token') ? { token: hiddenField(page.text, 'token')! } : {}), ...form,
  });
  return { page, answer, browser };
}

/** A page's text with what differs on every answer (nonces, CSRF tokens, request ids) blanked out. */
export function comparable(html: string): string {
  return html
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value=""')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'id');
}
