import type { Translate } from '../i18n/i18n.ts';
import { upstreamIcon } from '../pages/upstream-icons.ts';
import type { UpstreamRecord } from '../store/store.ts';
import { isPresetId, PRESETS } from './presets.ts';

/** One button on the login page: what it posts to, what it says, and its mark (Keyline's own SVG). */
export interface UpstreamButton {
  action: string;
  label: string;
  icon: string;
}

/**
 * A preset keeps its brand's published wording ("Sign in with Google", translated as each brand
 * publishes it) while it carries the preset's own name; an upstream the operator named otherwise
 * says "Continue with <its name>" beside the brand's mark, so two upstreams of one brand are told apart.
 */
export function upstreamButtons(interactionUid: string, upstreams: readonly UpstreamRecord[], t: Translate): UpstreamButton[] {
  return upstreams.map((upstream) => {
    const preset = upstream.preset && isPresetId(upstream.preset) ? PRESETS[upstream.preset] : undefined;
    return {
      action: `/interaction/${interactionUid}/upstream/${encodeURIComponent(upstream.id)}`,
      label: preset && upstream.name === preset.name ? t(`federation.preset.${preset.id}`) : t('federation.continueWith', { name: upstream.name }),
      icon: upstreamIcon(preset?.icon),
    };
  });
}
