import { z } from 'zod';
import { isSensitive } from './env-schema';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Shape = z.ZodRawShape;

/**
 * Parses `source` (normally process.env) with a service's schema. Every problem is collected, so an
 * operator fixes them all in one go; a sensitive variable's value is never echoed.
 */
export function parseConfig<S extends Shape>(
  schema: z.ZodObject<S>,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = source[key];
    // An empty variable means "not set", as in most deployment tools.
    input[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '(config)');
    const field = schema.shape[key] as z.ZodTypeAny | undefined;
    const shown = field && isSensitive(field) ? '(hidden)' : JSON.stringify(input[key] ?? null);
    const message = issue.code === 'invalid_type' && input[key] === undefined ? 'is required' : issue.message;
    return `${key} ${message} (got ${shown})`;
  });
  throw new ConfigValidationError(problems);
}

/** Like parseConfig, but prints the problems and exits: the start-up path of every service. */
export function loadConfigOrExit<S extends Shape>(
  serviceName: string,
  schema: z.ZodObject<S>,
  source: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  try {
    return parseConfig(schema, source);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${serviceName}: cannot start. ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * `node main.js --check-config`: validates the environment as the start would, prints one JSON line
 * ({service, ok, problems, reads}: `reads` lists every variable the service reads) and exits 0, or 78 on a
 * bad value, without connecting to anything. Deployment tooling (the chart's tests, an operator before a
 * rollout) uses it to check an env against the service's own schema.
 */
export function checkConfigAndExit<S extends Shape>(
  serviceName: string,
  schema: z.ZodObject<S>,
  source: Record<string, string | undefined> = process.env,
): never {
  let problems: string[] = [];
  try {
    parseConfig(schema, source);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    problems = error.problems;
  }
  const report = {
    service: serviceName,
    ok: problems.length === 0,
    problems,
    reads: Object.keys(schema.shape),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(problems.length ? 78 : 0);
}

/** A copy of the config safe to log: sensitive values replaced. */
export function redactConfig<S extends Shape>(
  schema: z.ZodObject<S>,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const field = schema.shape[key] as z.ZodTypeAny | undefined;
    copy[key] = field && isSensitive(field) && value !== undefined ? '(hidden)' : value;
  }
  return copy;
}
