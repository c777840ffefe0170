// The source clip's Motion (position, scale, rotation, anchor point, ...) copied onto the matte
// clip, so that a scaled or repositioned clip gets a matte that lines up with it.
//
// Motion is a component of every video clip's chain. It is found by match name, because display
// names are localised. 'AE.ADBE Motion' comes from third-party UXP and ExtendScript code; Adobe's
// UXP reference doesn't list intrinsic components' match names (⚠). Both clips carry the same
// component, so its parameters are copied index by index without knowing what each one is.
import type { Action, PComponent, PParamValue, PVideoComponentChain } from './premiere-api';

export const MOTION_MATCH_NAME = 'AE.ADBE Motion';

/** Thrown when the clip's Motion is keyframed: the matte can't follow an animation yet. */
export class AnimatedMotionError extends Error {
  constructor(readonly paramName: string) {
    super(`Motion "${paramName}" is animated`);
    this.name = 'AnimatedMotionError';
  }
}

/** Index of the first component in `chain` with this match name, or -1 (getMatchName is async). */
export async function findComponentIndex(chain: PVideoComponentChain, matchName: string): Promise<number> {
  for (let i = 0; i < chain.getComponentCount(); i++) {
    if ((await chain.getComponentAtIndex(i).getMatchName()) === matchName) return i;
  }
  return -1;
}

/** The first component in `chain` with this match name. */
export async function findComponent(
  chain: PVideoComponentChain,
  matchName: string,
): Promise<PComponent | undefined> {
  const i = await findComponentIndex(chain, matchName);
  return i < 0 ? undefined : chain.getComponentAtIndex(i);
}

/** Every parameter's value, by index; throws AnimatedMotionError for a keyframed one. */
export async function staticValues(component: PComponent): Promise<PParamValue[]> {
  const values: PParamValue[] = [];
  for (let i = 0; i < component.getParamCount(); i++) {
    const param = component.getParam(i);
    if (param.isTimeVarying()) throw new AnimatedMotionError(param.displayName);
    values.push((await param.getStartValue()).value.value);
  }
  return values;
}

function sameValue(a: PParamValue, b: PParamValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  const keys = ['x', 'y', 'red', 'green', 'blue', 'alpha'] as const;
  const fa = a as unknown as Record<string, unknown>;
  const fb = b as unknown as Record<string, unknown>;
  return keys.every((k) => fa[k] === fb[k]);
}

/** Indexes where the matte's value differs from the clip's. */
export function differingParams(clip: PParamValue[], matte: PParamValue[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(clip.length, matte.length); i++)
    if (!sameValue(clip[i]!, matte[i]!)) out.push(i);
  return out;
}

/** Actions setting the matte's Motion parameters at `indexes` to the clip's values. */
export function copyMotionActions(matteMotion: PComponent, clip: PParamValue[], indexes: number[]): Action[] {
  // Every keyframe first: createKeyframe throws on a value of the wrong type, before any action.
  const made = indexes.map((i) => {
    const param = matteMotion.getParam(i);
    return { param, keyframe: param.createKeyframe(clip[i]!) };
  });
  return made.map(({ param, keyframe }) => param.createSetValueAction(keyframe, true));
}
