/** zod building blocks for config files whose every message starts with "expected" (the located errors add what was found). */
import { z } from 'zod';
import { Expected } from './units.js';

/** A YAML number or string run through `parse`; its failures become issues at this field. */
export function scalar<T>(expected: string, parse: (v: string | number) => T) {
  return z.union([z.number(), z.string()], { error: `expected ${expected}` }).transform((v, ctx): T => {
    try {
      return parse(v);
    } catch (err) {
      if (!(err instanceof Expected)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, input: v, params: err.hint ? { hint: err.hint } : undefined });
      return z.NEVER;
    }
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` });
}

export function mapping<S extends z.core.$ZodLooseShape>(what: string, shape: S) {
  return z.strictObject(shape, { error: `expected a mapping of ${what}` });
}
