// Static checks that the Dockerfile, compose file and skaffold.yaml agree with the chart and
// with the services' facts (no Docker engine here to build the images for real).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './helm-binary';

const SERVICES: Record<string, { key: string; ports: number[] }> = {
  gateway: { key: 'gateway', ports: [8080] },
  auth: { key: 'auth', ports: [8081, 50051] },
  chat: { key: 'chat', ports: [8082, 50052] },
  'model-gateway': { key: 'modelGateway', ports: [8083, 50053] },
  retrieval: { key: 'retrieval', ports: [8084, 50054] },
  files: { key: 'files', ports: [8085, 50055] },
  realtime: { key: 'realtime', ports: [8086] },
};

const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');

/** The instructions of one stage, from its FROM line to the next FROM. */
function stage(name: string): string {
  const match = dockerfile.match(
    new RegExp(`^FROM \\S+ AS ${name}\\n([\\s\\S]*?)(?=^FROM |(?![\\s\\S]))`, 'm'),
  );
  if (!match) throw new Error(`no stage ${name} in docker/Dockerfile`);
  return match[0];
}

describe('docker/Dockerfile', () => {
  it('runs every image as a non-root user under tini', () => {
    const runtime = stage('runtime');
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(stage('base')).toMatch(/apt-get install[^\n]*\btini\b/);
  });

  it('ships production dependencies only', () => {
    expect(stage('prod-deps')).toMatch(/npm install --omit=dev/);
    expect(stage('runtime')).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(stage('runtime')).not.toMatch(/COPY --from=build \/app\/node_modules/);
  });

  it.each(Object.entries(SERVICES))(
    'has a %s target that starts the built service on its ports',
    (name, facts) => {
      const s = stage(name);
      expect(s).toMatch(/^FROM runtime AS /);
      expect(s).toContain(`COPY --from=build /app/dist/services/${name} ./dist/services/${name}`);
      expect(s).toContain(`CMD ["node", "dist/services/${name}/src/main.js"]`);
      expect(s).toMatch(new RegExp(`^EXPOSE ${facts.ports.join(' ')}$`, 'm'));
    },
  );

  it('builds on a supported Node LTS line, labels the images and leaves npm out of the runtime', () => {
    const base = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile);
    expect(base).not.toBeNull();
    // Even-numbered majors are the LTS lines; 20 left support in April 2026.
    expect(Number(base![1]) % 2).toBe(0);
    expect(Number(base![1])).toBeGreaterThanOrEqual(22);
    const runtime = stage('runtime');
    for (const label of ['title', 'version', 'revision', 'licenses'])
      expect(runtime).toContain(`org.opencontainers.image.${label}=`);
    expect(runtime).toMatch(/rm -rf [^\n]*\/usr\/local\/lib\/node_modules\/npm/);
    expect(runtime).toMatch(/\/usr\/local\/bin\/npx/);
  });

  it('puts the web app only into the gateway image', () => {
    const withWeb = Object.keys(SERVICES).filter((name) => stage(name).includes('/app/dist/web'));
    expect(withWeb).toEqual(['gateway']);
  });

  it("has a migrate target with the runner and every service's migrations", () => {
    const s = stage('migrate');
    expect(s).toContain('CMD ["node", "dist/libs/database/src/migrate.cli.js"]');
    expect(s).toContain('COPY --from=build /out/services ./services');
    expect(stage('build')).toContain('services/*/prisma/migrations');
  });

  it('has its own dockerignore that keeps host node_modules and build output out', () => {
    const ignore = fs
      .readFileSync(path.join(REPO_ROOT, 'docker', 'Dockerfile.dockerignore'), 'utf8')
      .split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git']));
  });
});

describe('docker/compose.yaml', () => {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, 'docker', 'compose.yaml'), 'utf8'), {
    merge: true,
  });

  it.each(Object.keys(SERVICES))('runs two copies of %s behind one network alias', (name) => {
    const copies = Object.entries(compose.services as Record<string, any>).filter(
      ([, s]) => s.build?.target === name,
    );
    expect(copies.map(([n]) => n).sort()).toEqual([`${name}-1`, `${name}-2`]);
    for (const [, s] of copies) {
      expect(s.networks.parley.aliases).toEqual([name]);
      expect(s.read_only).toBe(true);
      expect(s.depends_on.migrate.condition).toBe('service_completed_successfully');
      // Every service refuses to start without the secret that signs internal callers.
      expect(s.environment.CALLER_ASSERTION_SECRET).toEqual(expect.any(String));
      expect(s.environment.CALLER_ASSERTION_SECRET.length).toBeGreaterThanOrEqual(32);
    }
  });

  it('runs PostgreSQL with pgvector, Redis, NATS with JetStream and a one-shot migrate', () => {
    expect(compose.services.postgres.image).toMatch(/^pgvector\/pgvector:/);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    expect(compose.services.nats.command).toContain('--jetstream');
    expect(compose.services.migrate.build.target).toBe('migrate');
    expect(compose.services.migrate.restart).toBe('no');
  });

  it('load-balances both gateways and both realtimes, with /ws/ upgraded to realtime', () => {
    const conf = fs.readFileSync(path.join(REPO_ROOT, 'docker', 'nginx.conf'), 'utf8');
    expect(compose.services.lb.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    for (const server of ['gateway-1:8080', 'gateway-2:8080', 'realtime-1:8086', 'realtime-2:8086']) {
      expect(conf).toContain(`server ${server}`);
    }
    const ws = conf.match(/location \/ws\/ \{([^}]*)\}/)?.[1] ?? '';
    expect(ws).toContain('proxy_pass http://realtime;');
    expect(ws).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(conf.match(/location \/ \{([^}]*)\}/)?.[1]).toContain('proxy_pass http://gateway;');
  });
});

describe('skaffold.yaml', () => {
  const skaffold = parse(fs.readFileSync(path.join(REPO_ROOT, 'skaffold.yaml'), 'utf8'));
  const values = parse(fs.readFileSync(path.join(REPO_ROOT, 'charts', 'parley', 'values.yaml'), 'utf8'));

  it('builds every image from a Dockerfile target that exists', () => {
    const artifacts = skaffold.build.artifacts as Array<{
      image: string;
      docker: { dockerfile: string; target: string };
    }>;
    expect(artifacts.map((a) => a.docker.target).sort()).toEqual(
      [...Object.keys(SERVICES), 'migrate'].sort(),
    );
    for (const a of artifacts) {
      expect(a.docker.dockerfile).toBe('docker/Dockerfile');
      expect(a.image).toBe(`parley-${a.docker.target}`);
      expect(() => stage(a.docker.target)).not.toThrow();
    }
  });

  it('deploys the chart with each built image set on the matching values key', () => {
    const release = skaffold.deploy.helm.releases[0];
    expect(release.chartPath).toBe('charts/parley');
    const templates = release.setValueTemplates as Record<string, string>;
    for (const [name, { key }] of Object.entries({ ...SERVICES, migrate: { key: 'migrations' } })) {
      expect(values[key].image).toBeDefined();
      const envName = `parley_${name.replace(/-/g, '_')}`;
      expect(templates[`${key}.image.repository`]).toBe(`{{.IMAGE_REPO_${envName}}}`);
      expect(templates[`${key}.image.tag`]).toBe(`{{.IMAGE_TAG_${envName}}}`);
    }
  });
});
