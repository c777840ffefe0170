// Picks the host the panel runs in: Premiere Pro or After Effects through UXP's require(), or the
// standalone browser host when neither module exists (Chromium, tests).
import type { premierepro } from '@adobe/premierepro';
import type { HostAdapter } from './host-adapter';
import { PremiereHostAdapter } from './premiere-adapter';
import { asPremiereApi } from './premiere-api';
import { AfterEffectsHostAdapter } from './aftereffects-adapter';
import type { AfterEffectsApi } from './aftereffects-api';
import { StandaloneHostAdapter } from './standalone-adapter';
import { uxpModule } from './uxp-modules';

export function loadHost(): HostAdapter {
  const ppro = uxpModule<premierepro>('premierepro');
  if (ppro) return new PremiereHostAdapter(asPremiereApi(ppro));
  const ae = uxpModule<AfterEffectsApi>('aftereffects');
  if (ae) return new AfterEffectsHostAdapter(ae);
  return new StandaloneHostAdapter();
}
