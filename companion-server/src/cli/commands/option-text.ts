/**
 * A command-line option's value as text. Commander gives strings (numbers and booleans where an
 * option has such a default); anything else is shown as JSON rather than "[object Object]".
 */
export function optionText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean' || raw === undefined) return String(raw);
  return JSON.stringify(raw);
}
