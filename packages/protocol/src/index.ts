/**
 * The OneShot Roto protocol: the one schema source for the companion server and the UXP panel
 * (TypeBox schemas → static types + run-time validation). See PROTOCOL.md for the sequence.
 */
export * from './version';
export * from './common';
export * from './presets';
export * from './matte-options';
export * from './client-messages';
export * from './server-messages';
export * from './binary';
export * from './http';
export * from './validate';
export * from './mask-budget';
