// The chart and the services share one contract: every Deployment's rendered env, with its Secret
// references resolved, goes to that service's own built entry point with --check-config (the same
// schema it checks at start and exits 78 on), and every variable the chart sets must be one it reads.
// Needs the services built (`nx run-many -t build`; this target depends on it).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helm-binary';
import {
  RELEASE,
  SCENARIOS,
  componentOf,
  named,
  ofKind,
  template,
  writeValues,
  type Obj,
} from './rendered-chart';
import { renderedEnv } from './rendered-env';

const COMPONENTS = ['auth', 'chat', 'files', 'gateway', 'model-gateway', 'realtime', 'retrieval'];

/** Variables read outside the service schemas: by Node itself. */
const READ_BY_NODE = new Set(['NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'TZ']);

interface CheckReport {
  service: string;
  ok: boolean;
  problems: string[];
  reads: string[];
}

function entryPoint(component: string): string {
  const file =
    component === 'migrate'
      ? path.join(REPO_ROOT, 'dist', 'libs', 'database', 'src', 'migrate.cli.js')
      : path.join(REPO_ROOT, 'dist', 'services', component, 'src', 'main.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build the services first (npm run build)`);
  return file;
}

/** What the service's own config check says of the env the chart gives it (a Deployment or the Job). */
function check(objs: Obj[], workload: Obj): { problems: string[]; unread: string[] } {
  const env = renderedEnv(objs, workload);
  const component = workload.kind === 'Job' ? 'migrate' : componentOf(workload);
  const result = spawnSync(process.execPath, [entryPoint(component), '--check-config'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  let report: CheckReport;
  try {
    report = JSON.parse(line) as CheckReport;
  } catch {
    throw new Error(
      `no report from --check-config (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  expect(result.status).toBe(report.ok ? 0 : 78);
  const reads = new Set(report.reads);
  return {
    problems: report.problems,
    unread: Object.keys(env).filter((name) => !reads.has(name) && !READ_BY_NODE.has(name)),
  };
}

describe.each(SCENARIOS)('the services accept the chart’s $name values', (sc) => {
  const results = new Map<string, { problems: string[]; unread: string[] }>();
  beforeAll(() => {
    const objs = template(sc.files);
    for (const c of COMPONENTS) results.set(c, check(objs, named(objs, 'Deployment', `${RELEASE}-${c}`)!));
    results.set('migrate', check(objs, named(objs, 'Job', `${RELEASE}-migrate`)!));
  });

  it.each([...COMPONENTS, 'migrate'])('%s: its own config check accepts the rendered env', (component) => {
    expect(results.get(component)!.problems).toEqual([]);
  });

  it.each([...COMPONENTS, 'migrate'])(
    '%s: the chart sets no variable the service does not read',
    (component) => {
      expect(results.get(component)!.unread).toEqual([]);
    },
  );
});

describe('the contract check itself', () => {
  it('fails when a value the service rejects is put back (even past the values schema)', () => {
    const objs = template([writeValues('accounts:\n  jwtExpiresIn: "-1"\n')], ['--skip-schema-validation']);
    expect(check(objs, named(objs, 'Deployment', `${RELEASE}-auth`)!).problems.join('\n')).toMatch(
      /JWT_EXPIRES_IN/,
    );
  });

  it('fails on a variable no service reads', () => {
    const objs = template([
      writeValues('chat:\n  extraEnv:\n    - name: NOBODY_READS_THIS\n      value: "1"\n'),
    ]);
    expect(check(objs, named(objs, 'Deployment', `${RELEASE}-chat`)!).unread).toEqual(['NOBODY_READS_THIS']);
  });

  it('checks the DDL connection the migration Job may get', () => {
    const objs = template([
      writeValues('migrations:\n  existingSecret: ddl\n  lockTimeout: "5s"\n  lockWaitSeconds: 60\n'),
    ]);
    const job = named(objs, 'Job', `${RELEASE}-migrate`)!;
    expect(renderedEnv(objs, job).MIGRATION_DATABASE_URL).toMatch(/^postgresql:\/\//);
    expect(check(objs, job)).toEqual({ problems: [], unread: [] });
  });

  it('checks the egress proxy model-gateway may get', () => {
    const objs = template([
      writeValues(
        'modelGateway:\n  proxy: { httpProxy: "http://proxy.internal:3128", httpsProxy: "http://proxy.internal:3128", noProxy: "ollama.ai.svc" }\n',
      ),
    ]);
    const mg = named(objs, 'Deployment', `${RELEASE}-model-gateway`)!;
    expect(renderedEnv(objs, mg)).toMatchObject({
      HTTPS_PROXY: 'http://proxy.internal:3128',
      NO_PROXY: 'ollama.ai.svc',
    });
    expect(check(objs, mg)).toEqual({ problems: [], unread: [] });
  });

  it('checks every Deployment the chart renders', () => {
    expect(ofKind(template([]), 'Deployment').map(componentOf).sort()).toEqual([...COMPONENTS].sort());
  });
});
