/**
 * Run-time validation of client messages. Dispatches on `type` first so that an error names the
 * offending field of the right message instead of "no union member matched". Uses TypeBox's
 * compiled checkers where code generation is allowed, its interpreter (Value) where not (UXP).
 */
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { ClientMessageSchemas, type ClientMessage, type ClientMessageType } from './client-messages';
import type { ErrorCode } from './common';
import { LIMITS } from './version';

export interface Checker<T> {
  check(value: unknown): value is T;
  /** First validation error, or undefined when valid. */
  firstError(value: unknown): ValueError | undefined;
}

/** A checker for any schema: compiled when possible, interpreted otherwise. */
export function createChecker<S extends TSchema>(schema: S): Checker<Static<S>> {
  try {
    const compiled = TypeCompiler.Compile(schema);
    return {
      check: (v): v is Static<S> => compiled.Check(v),
      firstError: (v) => compiled.Errors(v).First(),
    };
  } catch {
    // Code generation refused (e.g. no eval in the host): interpret the schema instead.
    return {
      check: (v): v is Static<S> => Value.Check(schema, v),
      firstError: (v) => Value.Errors(schema, v).First(),
    };
  }
}

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; id: string | null; code: ErrorCode; message: string; path?: string };

let checkers: Map<string, Checker<ClientMessage>> | undefined;
function checkerFor(type: string): Checker<ClientMessage> | undefined {
  if (!checkers) {
    checkers = new Map();
    for (const [t, schema] of Object.entries(ClientMessageSchemas)) {
      checkers.set(t, createChecker(schema));
    }
  }
  return checkers.get(type);
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The request id of a parsed value, when it has a well-formed one (for error replies). */
export function requestIdOf(value: unknown): string | null {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const id = (value as { id?: unknown }).id;
    if (typeof id === 'string' && REQUEST_ID.test(id)) return id;
  }
  return null;
}

/** Validates an already-parsed JSON value as a client message. */
export function validateClientMessage(value: unknown): ParseResult {
  const id = requestIdOf(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      id,
      code: 'bad_message',
      message: 'a message must be a JSON object with a "type" field',
    };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return {
      ok: false,
      id,
      code: 'bad_message',
      message: 'the message has no string "type" field',
      path: '/type',
    };
  }
  const checker = Object.prototype.hasOwnProperty.call(ClientMessageSchemas, type)
    ? checkerFor(type)
    : undefined;
  if (!checker) {
    return {
      ok: false,
      id,
      code: 'unknown_type',
      message: `unknown message type "${type.slice(0, 64)}"; expected one of: ${Object.keys(ClientMessageSchemas).join(', ')}`,
      path: '/type',
    };
  }
  if (checker.check(value)) return { ok: true, message: value };
  const err = checker.firstError(value);
  const where = err?.path || '/';
  return {
    ok: false,
    id,
    code: 'bad_message',
    message: `invalid "${type}" message at ${where}: ${err?.message ?? 'does not match the schema'}`,
    path: where,
  };
}

/** Parses and validates one text frame. */
export function parseClientMessage(text: string): ParseResult {
  if (text.length > LIMITS.maxMessageBytes) {
    return {
      ok: false,
      id: null,
      code: 'too_large',
      message: `message of ${text.length} characters exceeds the ${LIMITS.maxMessageBytes}-byte limit`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      id: null,
      code: 'bad_json',
      message: `message is not valid JSON: ${(err as Error).message}`,
    };
  }
  return validateClientMessage(value);
}

export type { ClientMessageType };
