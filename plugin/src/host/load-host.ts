// Picks the host the panel runs in: Premiere Pro or After Effects through UXP's require(), or the
// standalone browser host when neither module exists (Chromium, tests).
import type { premierepro } from '@adobe/premierepro';
import type { HostAdapter } from './host-adapter';
import { PremiereHostAdapter } from './premiere-adapter';
import { asPremiereApi } from './premiere-api';
import { AfterEffectsHostAdapter } from './aftereffects-adapter';
import type { AfterEffectsApi } from './aftereffects-api';
import { StandaloneHostAdapter } from './standalone-adapter';
import type { FileProbe } from './file-probe';
import { uxpModule } from './uxp-modules';

/** UXP answers "does this file exist" through its file system entries. */
function uxpFileProbe(): FileProbe {
  return {
    exists: async (path) => {
      const fs = uxpModule<{
        storage: { localFileSystem: { getEntryWithUrl(url: string): Promise<unknown> } };
      }>('uxp');
      if (!fs) return false;
      try {
        await fs.storage.localFileSystem.getEntryWithUrl(`file:${path}`);
        return true;
      } catch {
        return false;
      }
    },
  };
}

export function loadHost(): HostAdapter {
  const ppro = uxpModule<premierepro>('premierepro');
  if (ppro) return new PremiereHostAdapter(asPremiereApi(ppro), uxpFileProbe());
  const ae = uxpModule<AfterEffectsApi>('aftereffects');
  if (ae) return new AfterEffectsHostAdapter(ae, uxpFileProbe());
  return new StandaloneHostAdapter();
}
