import { hash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import type { BrandingConfig } from '../config/schema.ts';
import { ASSETS_DIRECTORY, projectPath } from '../paths.ts';
import { contrast, readableOn } from './colour-contrast.ts';
import { darkBackgroundFor, darkPrimaryFor } from './dark-colours.ts';

/** What every page receives as `brand`. */
export interface Brand {
  productName: string;
  /** The logo image, when there is one; the product name stands beside it only for Keyline's own mark. */
  logoUrl: string | undefined;
  /** The logo for dark pages, when the config names one (otherwise the one logo serves both). */
  logoDarkUrl: string | undefined;
  /** `data-theme` on <html>: auto follows the browser, light or dark is pinned. */
  theme: 'auto' | 'light' | 'dark';
  /** The `color-scheme` meta tag's content, so the browser paints its own parts (scrollbars, fields) to match. */
  colorScheme: string;
  showName: boolean;
  faviconUrl: string;
  stylesheetUrl: string;
  scriptUrl: string;
  /** The passkey scripts, for the pages with passkey buttons: the WebAuthn browser library, then Keyline's. */
  passkeyScriptUrls: string[];
  /** The operator's extra stylesheet, loaded after Keyline's. */
  extraStylesheetUrl: string | undefined;
  /** Custom properties for the stylesheet: colours checked for contrast, the dark ones against the dark card. */
  cssVariables: string;
  links: { privacy?: string; terms?: string; support?: string };
}

/** A file Keyline serves under /assets. */
export interface AssetFile {
  path: string;
  file: string;
  contentType: string;
  body: Buffer;
}

const IMAGE_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp',
  '.gif': 'image/gif', '.ico': 'image/x-icon',
};
const STYLE_TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8' };
const SCRIPT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8' };

// The browser half of @simplewebauthn, served as it is published: the pages load nothing from elsewhere.
// The package exports only its module entry (script/index.js), so the bundle is found beside it.
const WEBAUTHN_BROWSER_BUNDLE = join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');

const WHITE = '#ffffff';
const TEXT = '#111827';
// What dark colours are checked against: the lighter of keyline.css's dark card surfaces (--kl-subtle,
// under the account box and code panels; --kl-surface is darker still) and its dark text (--kl-text).
const DARK_SURFACE = '#272d38';
const DARK_TEXT = '#e5e7eb';

/** The brand's custom properties for one scheme: the same checks in light (white card) and dark (dark card). */
function brandVariables(primary: string, background: string, card: string, text: string): string {
  const variables = {
    '--kl-primary': primary,
    '--kl-on-primary': readableOn(primary, TEXT, WHITE),
    // Links and focus rings sit on the card: the brand colour where it is readable there.
    '--kl-link': contrast(primary, card) >= 4.5 ? primary : text,
    '--kl-focus': contrast(primary, card) >= 3 ? primary : text,
    '--kl-background': background,
    '--kl-on-background': readableOn(background, TEXT, WHITE),
  };
  return `:root{${Object.entries(variables).map(([name, value]) => `${name}:${value}`).join(';')}}`;
}

export interface ResolvedBranding {
  brand: Brand;
  assets: AssetFile[];
  /** Origins the CSP must allow because the operator configured https:// URLs. */
  cspSources: { img: string[]; style: string[] };
}

function asset(path: string, file: string, types: Record<string, string>, key: string): AssetFile {
  const type = types[extname(file).toLowerCase()];
  if (!type) throw new ConfigError([`${key}: ${file} must be one of ${Object.keys(types).join(', ')}`]);
  if (!existsSync(file)) throw new ConfigError([`${key}: no file at ${file}`]);
  const body = readFileSync(file);
  // The content hash in the URL lets browsers cache an asset for a long time and still see a change.
  const version = hash('sha256', body, 'base64url').slice(0, 10);
  return { path: `${path}?v=${version}`, file, contentType: type, body };
}

/**
 * The one branding context: from `branding` in the config to the URLs, colours and links every page
 * uses, the files Keyline serves for it, and what the CSP must allow for it.
 */
export function resolveBranding(config: BrandingConfig): ResolvedBranding {
  const assets: AssetFile[] = [];
  const cspSources = { img: [] as string[], style: [] as string[] };
  const serve = (path: string, file: string, types: Record<string, string>, key: string) => {
    const served = asset(path, file, types, key);
    assets.push(served);
    return served.path;
  };
  const source = (value: string | undefined, name: string, types: Record<string, string>, key: string, csp: string[]) => {
    if (value === undefined) return undefined;
    if (value.startsWith('https://')) {
      csp.push(new URL(value).origin);
      return value;
    }
    return serve(`/assets/brand/${name}${extname(value).toLowerCase()}`, projectPath(value), types, key);
  };

  const ownLogo = serve('/assets/logo.svg', `${ASSETS_DIRECTORY}/logo.svg`, IMAGE_TYPES, 'assets');
  const ownFavicon = serve('/assets/favicon.svg', `${ASSETS_DIRECTORY}/favicon.svg`, IMAGE_TYPES, 'assets');
  const stylesheetUrl = serve('/assets/keyline.css', `${ASSETS_DIRECTORY}/keyline.css`, STYLE_TYPES, 'assets');
  const scriptUrl = serve('/assets/keyline.js', `${ASSETS_DIRECTORY}/keyline.js`, SCRIPT_TYPES, 'assets');
  const passkeyScriptUrls = [
    serve('/assets/webauthn.js', WEBAUTHN_BROWSER_BUNDLE, SCRIPT_TYPES, 'assets'),
    serve('/assets/passkeys.js', `${ASSETS_DIRECTORY}/passkeys.js`, SCRIPT_TYPES, 'assets'),
  ];
  const logo = source(config.logo, 'logo', IMAGE_TYPES, 'branding.logo', cspSources.img);
  const logoDark = source(config.logoDark, 'logo-dark', IMAGE_TYPES, 'branding.logoDark', cspSources.img);
  const favicon = source(config.favicon, 'favicon', IMAGE_TYPES, 'branding.favicon', cspSources.img);
  const extraStylesheetUrl = source(config.stylesheet, 'custom', STYLE_TYPES, 'branding.stylesheet', cspSources.style);
  const ownMark = logo === undefined && config.productName === 'Keyline';

  const light = brandVariables(config.primaryColor, config.backgroundColor, WHITE, TEXT);
  const dark = brandVariables(
    config.primaryColorDark ?? darkPrimaryFor(config.primaryColor, DARK_SURFACE, contrast),
    config.backgroundColorDark ?? darkBackgroundFor(config.backgroundColor),
    DARK_SURFACE,
    DARK_TEXT,
  );
  // The theme is known here, so only `auto` needs the media query; a pinned theme gets its one set.
  const cssVariables = { auto: `${light}@media (prefers-color-scheme: dark){${dark}}`, light, dark }[config.theme];
  return {
    brand: {
      productName: config.productName,
      logoUrl: logo ?? (ownMark ? ownLogo : undefined),
      logoDarkUrl: logo === undefined && !ownMark ? undefined : logoDark,
      theme: config.theme,
      colorScheme: { auto: 'light dark', light: 'light', dark: 'dark' }[config.theme],
      showName: logo === undefined,
      faviconUrl: favicon ?? ownFavicon,
      stylesheetUrl,
      scriptUrl,
      passkeyScriptUrls,
      extraStylesheetUrl,
      cssVariables,
      links: { ...config.links },
    },
    assets,
    cspSources,
  };
}
