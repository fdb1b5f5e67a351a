import { existsSync } from 'node:fs';
import { ConfigError } from '../config/config-error.ts';
import type { Config } from '../config/schema.ts';
import { ContentSecurityPolicy } from '../http/content-security-policy.ts';
import { I18n } from '../i18n/i18n.ts';
import { collectMessageOverrides } from '../i18n/message-overrides.ts';
import { LOCALES_DIRECTORY, VIEWS_DIRECTORY } from '../paths.ts';
import { resolveBranding, type AssetFile } from './branding.ts';
import { LayeredViews } from './layered-views.ts';
import { Pages } from './pages.ts';

export interface PageKit {
  i18n: I18n;
  pages: Pages;
  csp: ContentSecurityPolicy;
  assets: AssetFile[];
  /** The template folders (a theme's, then Keyline's), which mail templates come from too. */
  views: LayeredViews;
}

/** The getting-started panel shows only on a local, non-production server. */
function isDevelopment(config: Config): boolean {
  return process.env.NODE_ENV !== 'production' && /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(config.issuer);
}

/** Languages, branding, the CSP that branding needs, and the page renderer, all from the config. */
export function createPageKit(config: Config): PageKit {
  const overrides = collectMessageOverrides(config.messages, config.i18n.overridesDirectory);
  const i18n = new I18n(LOCALES_DIRECTORY, config.i18n.defaultLocale, { product: config.branding.productName }, overrides);
  const { brand, assets, cspSources } = resolveBranding(config.branding);
  const csp = new ContentSecurityPolicy(cspSources);
  if (config.views && !existsSync(config.views)) throw new ConfigError([`views (KEYLINE_VIEWS): no folder at ${config.views}`]);
  const views = new LayeredViews(config.views ? [config.views, VIEWS_DIRECTORY] : [VIEWS_DIRECTORY]);
  const pages = new Pages({ views, brand, csp, development: isDevelopment(config), locales: i18n.locales });
  return { i18n, pages, csp, assets, views };
}
