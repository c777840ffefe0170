// Type-level checks against @adobe/premierepro's declarations: every member the narrowed surface
// (premiere-api.ts, which is all the adapter can call) names exists on the official type, with a
// compatible type, including the effect-parameter calls. `npx tsc -p plugin/test/tsconfig.json`
// fails when one doesn't; the runtime test only restates the verdict.
import type {
  ClipProjectItem,
  Component,
  ComponentParam,
  SequenceEditor,
  VideoClipTrackItem,
  VideoComponentChain,
  VideoFilterComponent,
  VideoFilterFactoryStatic,
} from '@adobe/premierepro';
import type {
  PClipProjectItem,
  PComponent,
  PComponentParam,
  PremiereApi,
  PSequenceEditor,
  PVideoClipTrackItem,
  PVideoComponentChain,
  PVideoFilterComponent,
} from '../src/host/premiere-api';

/** true when every key of the narrowed type is declared on the official one. */
type NoExtraKeys<Narrow, Official> = Exclude<keyof Narrow, keyof Official> extends never ? true : false;
/** true when the official type can be used where the narrowed one is expected. */
type Fits<Official, Narrow> = [Official] extends [Narrow] ? true : false;
type Both<A extends boolean, B extends boolean> = A extends true ? B : false;
/** Compiles only when T is `true` (a `false` breaks the constraint). */
function holds<T extends true>(): T {
  return true as T;
}

const checks = {
  component: holds<Both<NoExtraKeys<PComponent, Component>, Fits<Component, PComponent>>>(),
  componentParam:
    holds<Both<NoExtraKeys<PComponentParam, ComponentParam>, Fits<ComponentParam, PComponentParam>>>(),
  chain:
    holds<
      Both<
        NoExtraKeys<PVideoComponentChain, VideoComponentChain>,
        Fits<VideoComponentChain, PVideoComponentChain>
      >
    >(),
  trackItem:
    holds<
      Both<
        NoExtraKeys<PVideoClipTrackItem, VideoClipTrackItem>,
        Fits<VideoClipTrackItem, PVideoClipTrackItem>
      >
    >(),
  clipProjectItem:
    holds<Both<NoExtraKeys<PClipProjectItem, ClipProjectItem>, Fits<ClipProjectItem, PClipProjectItem>>>(),
  sequenceEditor:
    holds<Both<NoExtraKeys<PSequenceEditor, SequenceEditor>, Fits<SequenceEditor, PSequenceEditor>>>(),
  filterFactory:
    holds<
      Both<
        NoExtraKeys<PremiereApi['VideoFilterFactory'], VideoFilterFactoryStatic>,
        Fits<VideoFilterFactoryStatic, PremiereApi['VideoFilterFactory']>
      >
    >(),
  // createComponent's result has no members: no getParam, no getParamCount.
  filterHasNoMembers:
    holds<
      keyof PVideoFilterComponent extends never
        ? keyof VideoFilterComponent extends never
          ? true
          : false
        : false
    >(),
};

test('the narrowed Premiere surface, effect parameters included, exists in @adobe/premierepro', () => {
  expect(Object.values(checks).every((v) => v === true)).toBe(true);
});
