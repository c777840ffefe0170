// Track Matte Key on a Premiere Pro clip: which effect, which of its parameters, which values,
// and where each of those facts comes from. Nothing here has been run inside Premiere (⚠).
//
// The documented pattern (Adobe's uxp-premiere-pro-samples, sample-panels/3psample-panel/html/src/
// effects.ts and keyframe.ts): `VideoFilterFactory.createComponent(matchName)` gives an object
// that can only be appended or inserted (`VideoFilterComponent` is `{}` in @adobe/premierepro
// 26.3); parameters are read from the clip's chain afterwards with
// `getComponentAtIndex(i).getParam(j)` and set with `createKeyframe` + `createSetValueAction`.
import type { Action, PComponent, PVideoFilterComponent, PremiereApi } from './premiere-api';

/**
 * Track Matte Key's match name. Adobe's reference names only 'PR.ADBE Solarize' and
 * 'AE.ADBE Mosaic' as examples (https://developer.adobe.com/premiere-pro/uxp/ppro-reference/
 * classes/videofilterfactory); this one comes from third-party code (⚠). It is therefore looked
 * up in `getMatchNames()` at run time, never assumed.
 */
export const TRACK_MATTE_MATCH_NAME = 'AE.ADBE Track Matte Key';
/** Match names are not localised (display names are), so a pattern over them is safe anywhere. */
const TRACK_MATTE_MATCH_PATTERN = /track\s*matte\s*key/i;

/**
 * Parameter indexes, in the order Adobe's Premiere Pro user guide lists the effect's settings in
 * Effect Controls: Matte, Composite Using (Matte Alpha / Matte Luma), Reverse ("To create
 * transparency in a superimposed clip", Premiere Pro User Guide). The UXP reference says only
 * that indexes are zero-based and "defined exclusively by the component itself"
 * (https://developer.adobe.com/premiere-pro/uxp/ppro-reference/classes/component): that they
 * follow the Effect Controls order is ⚠ undocumented. Parameters have no match name in the
 * typings and a localised display name, so the index is the only locale-proof handle.
 */
export const MATTE_PARAM = 0;
export const COMPOSITE_USING_PARAM = 1;
const PARAM_COUNT = 3;

/**
 * Values. The docs are silent on how a popup parameter's value is numbered (⚠): "Matte" is taken
 * as its menu position (None, Video 1, Video 2, ... so track index + 1) and "Composite Using" as
 * the zero-based position of Matte Luma in its menu (Matte Alpha, Matte Luma). The panel tells
 * the editor to check both in Effect Controls, and offers the RGBA cutout, which needs neither.
 */
export function matteMenuValue(matteTrackIndex: number): number {
  return matteTrackIndex + 1;
}
export const COMPOSITE_USING_MATTE_LUMA = 1;

/** The effect, made from its match name, ready to be appended to the clip's chain. */
export interface TrackMatteKey {
  readonly matchName: string;
  readonly component: PVideoFilterComponent;
}

/** Finds Track Matte Key among the installed video filters; undefined when it isn't there. */
export async function createTrackMatteKey(api: PremiereApi): Promise<TrackMatteKey | undefined> {
  const factory = api.VideoFilterFactory;
  const names = await factory.getMatchNames();
  const matchName =
    names.find((n) => n === TRACK_MATTE_MATCH_NAME) ?? names.find((n) => TRACK_MATTE_MATCH_PATTERN.test(n));
  if (!matchName) return undefined;
  return { matchName, component: await factory.createComponent(matchName) };
}

/**
 * The actions that point the key (read back from the clip's chain) at the matte track and make it
 * composite with the matte's luma. Throws when the component doesn't have the parameter layout
 * above, before any action is made.
 */
export function trackMatteKeyActions(key: PComponent, matteTrackIndex: number): Action[] {
  const count = key.getParamCount();
  if (count < PARAM_COUNT) {
    throw new Error(`Track Matte Key has ${count} parameters here, not the ${PARAM_COUNT} this panel knows`);
  }
  const matte = key.getParam(MATTE_PARAM);
  const composite = key.getParam(COMPOSITE_USING_PARAM);
  // createKeyframe throws if the value doesn't fit the parameter's type (documented on
  // ComponentParam.createKeyframe): both keyframes are made before either action.
  const matteValue = matte.createKeyframe(matteMenuValue(matteTrackIndex));
  const compositeValue = composite.createKeyframe(COMPOSITE_USING_MATTE_LUMA);
  return [matte.createSetValueAction(matteValue, true), composite.createSetValueAction(compositeValue, true)];
}
