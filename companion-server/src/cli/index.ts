/**
 * What the CLI shares beyond its commands: the flags of the commands that run the method
 * (`segment`, `eval`, `demo`) parsed into typed settings, for scripts that take the same flags.
 */
export { parseMethodOptions, UsageError, type MethodOptions } from './commands/method-options';
