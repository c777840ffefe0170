// Browser harness: makes the Premiere Pro fake answer `require("premierepro")` in a page, so the
// built panel runs its Premiere code path in Chromium. The test sets `__premiereConfig` first.
import { PremiereFake, type FakeTimeline } from './premierepro-fake';

interface HarnessGlobal {
  /** `stillFolders`: folder -> frames every numbered sequence written there holds. */
  __premiereConfig?: { timeline: FakeTimeline; stillFolders: Record<string, number> };
  __premiereFake?: PremiereFake;
  require?: (id: string) => unknown;
}

const g = globalThis as unknown as HarnessGlobal;
const config = g.__premiereConfig;
if (!config) throw new Error('set window.__premiereConfig before loading the Premiere harness');
const fake = new PremiereFake(config.timeline);
for (const [folder, frames] of Object.entries(config.stillFolders)) fake.stillFolders.set(folder, frames);
g.__premiereFake = fake;
g.require = (id: string) => {
  if (id === 'premierepro') return fake.api;
  throw new Error(`Cannot find module '${id}'`);
};
