// Renders the parley chart with a real helm (helm-binary.ts) for the chart's specs: the shipped
// scenarios (default values and every example) and small helpers to find objects in the output.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_DIR, runHelm } from './helm-binary';

export type Obj = Record<string, any>;

export const RELEASE = 'parley';
export const NAMESPACE = 'parley';

export interface Scenario {
  name: string;
  files: string[];
  /** Values as helm merges them: values.yaml, then each file. */
  values: Obj;
  polling: boolean;
}

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b, v)
        : v;
  }
  return out;
}

export function readYaml(file: string): Obj {
  return parse(fs.readFileSync(file, 'utf8')) ?? {};
}

export function scenario(name: string, example?: string): Scenario {
  const files = example ? [path.join(CHART_DIR, 'examples', example)] : [];
  const values = files.reduce(
    (acc, f) => deepMerge(acc, readYaml(f)),
    readYaml(path.join(CHART_DIR, 'values.yaml')),
  );
  return { name, files, values, polling: values.realtime.allowPolling === true };
}

export const SCENARIOS: Scenario[] = [
  scenario('default'),
  scenario('minimal', 'values-minimal.yaml'),
  scenario('ha', 'values-ha.yaml'),
  scenario('multi-region', 'values-multi-region.yaml'),
];

export function template(files: string[], extra: string[] = []): Obj[] {
  const args = [
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    ...files.flatMap((f) => ['-f', f]),
    ...extra,
  ];
  const result = runHelm(args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => {
      if (doc.errors.length) throw doc.errors[0];
      return doc.toJS() as Obj | null;
    })
    .filter((o): o is Obj => !!o && typeof o === 'object');
}

export function templateFails(files: string[], extra: string[] = []): string {
  const result = runHelm(['template', RELEASE, CHART_DIR, ...files.flatMap((f) => ['-f', f]), ...extra]);
  if (result.status === 0)
    throw new Error(`helm template unexpectedly succeeded with ${[...files, ...extra].join(' ')}`);
  return result.stderr;
}

export function writeValues(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chart-'));
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, content);
  return file;
}

export const ofKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
export const named = (objs: Obj[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
export const componentOf = (o: Obj) => o.metadata.labels?.['app.kubernetes.io/component'];
export const container = (d: Obj) => d.spec.template.spec.containers[0];
export const envOf = (d: Obj): Record<string, Obj> =>
  Object.fromEntries((container(d).env as Obj[]).map((e) => [e.name, e]));
export const envValue = (d: Obj, name: string): string | undefined => envOf(d)[name]?.value;
