/**
 * The quality presets' names: the panel picks one, the server passes it on, the CLI takes it as a
 * flag. Their settings (measured on the DAVIS subsets) are the method's: core's osvos/presets.ts.
 */
export const PRESET_NAMES = ['fast', 'balanced', 'best'] as const;
/** The one preset type: the CLI, the server and the protocol (PresetSchema) all use these names. */
export type PresetName = (typeof PRESET_NAMES)[number];
