/**
 * schema.json's validator for whole documents, with `ajv-options.json` (`allErrors` for every
 * mistake at once, `strict`, `verbose` so an error carries the schema it failed). Read from the
 * sources, it is compiled here on first use; `build.mjs` replaces this module in the built CLI and
 * library with the same validator generated ahead of time (ajv's standalone code), so a command
 * never spends its start compiling the schema.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schemaJson from '../schema.json' with { type: 'json' };
import ajvOptions from './ajv-options.json' with { type: 'json' };

let compiled: ValidateFunction | undefined;

/** Every schema error of a document; empty when it conforms. */
export default function validateDocument(value: unknown): ErrorObject[] {
  compiled ??= new Ajv2020(ajvOptions).compile(schemaJson);
  return compiled(value) ? [] : [...(compiled.errors ?? [])];
}
