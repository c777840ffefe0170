// UXP exposes host modules through a global require(); a browser has none. Going through
// globalThis keeps webpack from trying to bundle them.
type HostRequire = (id: string) => unknown;

export function uxpModule<T>(id: 'uxp' | 'premierepro' | 'aftereffects'): T | undefined {
  const req = (globalThis as { require?: HostRequire }).require;
  if (typeof req !== 'function') return undefined;
  try {
    return (req(id) as T | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}
