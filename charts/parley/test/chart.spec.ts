// Renders the parley chart with a real helm (see helm-binary.ts) and checks the manifests
// against what the services really serve: ports, health endpoints, drain time, callers.
import * as path from 'node:path';
import { CHART_DIR, runHelm } from './helm-binary';
import {
  NAMESPACE,
  RELEASE,
  SCENARIOS,
  componentOf,
  container,
  envOf,
  envValue,
  named,
  ofKind,
  readYaml,
  template,
  templateFails,
  writeValues,
  type Obj,
} from './rendered-chart';
import { renderedEnv } from './rendered-env';

// The services' facts (docs: ARCHITECTURE.md and the services' config), written down here on
// purpose rather than read from values.yaml, so a wrong default in the chart fails the test.
const SERVICES: Record<string, { key: string; http: number; grpc?: number }> = {
  gateway: { key: 'gateway', http: 8080 },
  auth: { key: 'auth', http: 8081, grpc: 50051 },
  chat: { key: 'chat', http: 8082, grpc: 50052 },
  'model-gateway': { key: 'modelGateway', http: 8083, grpc: 50053 },
  retrieval: { key: 'retrieval', http: 8084, grpc: 50054 },
  files: { key: 'files', http: 8085, grpc: 50055 },
  realtime: { key: 'realtime', http: 8086 },
};
const COMPONENTS = Object.keys(SERVICES);
const CALLERS: Record<string, string[]> = {
  auth: ['gateway', 'realtime'],
  chat: ['gateway', 'model-gateway', 'realtime'],
  'model-gateway': ['gateway'],
  retrieval: ['gateway', 'model-gateway'],
  files: ['gateway', 'model-gateway', 'retrieval'],
};
const PUBLIC = ['gateway', 'realtime'];
/** The gateway's default GRPC_API_PORT (services/gateway/src/gateway.config.ts). */
const GRPC_API_PORT = 50050;
const STICKY_ANNOTATION = 'nginx.ingress.kubernetes.io/affinity';

/** The number a probe's named or numbered port resolves to in the container. */
function probePort(d: Obj, probe: Obj): number {
  const port = probe.httpGet.port;
  if (typeof port === 'number') return port;
  const match = (container(d).ports as Obj[]).find((p) => p.name === port);
  if (!match) throw new Error(`probe port ${port} is not a container port of ${d.metadata.name}`);
  return match.containerPort;
}

function selects(selector: Obj, labels: Obj): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

describe.each(SCENARIOS)('chart with $name values', (sc) => {
  let objs: Obj[];
  let deployments: Obj[];

  beforeAll(() => {
    objs = template(sc.files);
    deployments = ofKind(objs, 'Deployment');
  });

  it('passes helm lint --strict', () => {
    const result = runHelm(['lint', '--strict', CHART_DIR, ...sc.files.flatMap((f) => ['-f', f])]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('renders one Deployment and one Service per service', () => {
    expect(deployments.map(componentOf).sort()).toEqual([...COMPONENTS].sort());
    const services = ofKind(objs, 'Service');
    const routed = services.filter((svc) => svc.spec.clusterIP !== 'None');
    expect(routed.map(componentOf).sort()).toEqual([...COMPONENTS].sort());
    // Plus one headless Service per gRPC server, for client-side balancing.
    const headless = services.filter((svc) => svc.spec.clusterIP === 'None');
    expect(headless.map(componentOf).sort()).toEqual(COMPONENTS.filter((c) => SERVICES[c].grpc).sort());
    for (const c of COMPONENTS) expect(named(objs, 'Deployment', `${RELEASE}-${c}`)).toBeDefined();
  });

  it.each(COMPONENTS)('%s listens on its real ports and probes its real health endpoints', (c) => {
    const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    const facts = SERVICES[c];
    const ctr = container(d);
    const ports = Object.fromEntries((ctr.ports as Obj[]).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({
      http: facts.http,
      ...(facts.grpc ? { grpc: facts.grpc } : {}),
      // The gateway's metrics are off its public port; the public gRPC API has its own (GRPC_API_PORT).
      ...(c === 'gateway' ? { metrics: 9464, 'grpc-api': GRPC_API_PORT } : {}),
    });
    expect(envValue(d, c === 'gateway' ? 'PORT' : 'HTTP_PORT')).toBe(String(facts.http));
    expect(envValue(d, 'GRPC_API_PORT')).toBe(c === 'gateway' ? String(GRPC_API_PORT) : undefined);
    expect(envValue(d, 'GRPC_PORT')).toBe(facts.grpc ? String(facts.grpc) : undefined);

    expect(ctr.livenessProbe.httpGet.path).toBe('/health/live');
    expect(ctr.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(ctr.startupProbe.httpGet.path).toBe('/health/live');
    for (const probe of [ctr.livenessProbe, ctr.readinessProbe, ctr.startupProbe]) {
      expect(probePort(d, probe)).toBe(facts.http);
    }
    // The startup probe gives the service time to reach its dependencies before liveness counts.
    expect(ctr.startupProbe.periodSeconds * ctr.startupProbe.failureThreshold).toBeGreaterThanOrEqual(30);
  });

  it.each(COMPONENTS)('%s has resource requests and limits as configured', (c) => {
    const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    const res = container(d).resources;
    const configured = sc.values[SERVICES[c].key].resources;
    expect(res.requests.cpu).toBeDefined();
    expect(res.requests.memory).toBeDefined();
    expect(res.limits.memory).toBeDefined();
    expect(res).toEqual(configured);
  });

  it.each(COMPONENTS)(
    '%s runs as non-root on a read-only root filesystem without privilege escalation',
    (c) => {
      const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
      const pod = d.spec.template.spec;
      const sec = container(d).securityContext;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(sec.runAsNonRoot).toBe(true);
      expect(sec.readOnlyRootFilesystem).toBe(true);
      expect(sec.allowPrivilegeEscalation).toBe(false);
      expect(sec.capabilities.drop).toEqual(['ALL']);
      // Node and the libraries still need a writable /tmp.
      const tmp = (container(d).volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
      expect(tmp).toBeDefined();
      expect((pod.volumes as Obj[]).find((v) => v.name === tmp!.name)?.emptyDir).toBeDefined();
    },
  );

  it.each(COMPONENTS)('%s is given longer to terminate than the preStop sleep plus its drain time', (c) => {
    const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    const pod = d.spec.template.spec;
    const preStop = container(d).lifecycle.preStop.exec.command as string[];
    expect(preStop[0]).toBe('sleep');
    const sleepMs = Number(preStop[1]) * 1000;
    expect(sleepMs).toBeGreaterThan(0);
    const drainMs = Number(envValue(d, 'SHUTDOWN_GRACE_MS'));
    expect(drainMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(sleepMs + drainMs);
  });

  it.each(COMPONENTS)('%s spreads across zones when topology spread is on', (c) => {
    const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    const constraints = (d.spec.template.spec.topologySpreadConstraints ?? []) as Obj[];
    const zone = constraints.find((t) => t.topologyKey === 'topology.kubernetes.io/zone');
    if (sc.values.topologySpread.enabled) {
      expect(zone).toBeDefined();
      expect(zone!.whenUnsatisfiable).toBe(sc.values.topologySpread.whenUnsatisfiable);
      expect(selects(zone!.labelSelector, d.spec.template.metadata.labels)).toBe(true);
    } else {
      expect(zone).toBeUndefined();
    }
  });

  it.each(COMPONENTS)('%s has a PodDisruptionBudget and an HPA with the configured bounds', (c) => {
    const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    const cfg = sc.values[SERVICES[c].key];
    const podLabels = d.spec.template.metadata.labels;

    const pdbs = ofKind(objs, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector, podLabels));
    expect(pdbs).toHaveLength(1);
    if (cfg.pdb.minAvailable !== undefined) expect(pdbs[0].spec.minAvailable).toBe(cfg.pdb.minAvailable);
    else expect(pdbs[0].spec.maxUnavailable).toBe(cfg.pdb.maxUnavailable);

    const hpas = ofKind(objs, 'HorizontalPodAutoscaler').filter(
      (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === d.metadata.name,
    );
    if (cfg.autoscaling.enabled) {
      expect(hpas).toHaveLength(1);
      expect(hpas[0].spec.minReplicas).toBe(cfg.autoscaling.minReplicas);
      expect(hpas[0].spec.maxReplicas).toBe(cfg.autoscaling.maxReplicas);
      // The HPA owns the replica count; a fixed one would fight it on every upgrade.
      expect(d.spec.replicas).toBeUndefined();
    } else {
      expect(hpas).toHaveLength(0);
      expect(d.spec.replicas).toBe(cfg.replicaCount);
    }
  });

  it('addresses every gRPC peer by an existing Service and its gRPC port', () => {
    let checked = 0;
    for (const d of deployments) {
      for (const [name, e] of Object.entries(envOf(d))) {
        if (!name.endsWith('_GRPC_URL')) continue;
        // dns:/// with a headless Service: the client resolves every ready pod and balances over them.
        const match = /^dns:\/\/\/([^:]+):(\d+)$/.exec(String(e.value));
        expect(match).not.toBeNull();
        const [, host, port] = match!;
        const svc = named(objs, 'Service', host);
        expect(svc).toBeDefined();
        expect(svc!.spec.clusterIP).toBe('None');
        expect(svc!.spec.selector).toEqual(named(objs, 'Service', host.replace(/-grpc$/, ''))!.spec.selector);
        expect((svc!.spec.ports as Obj[]).find((p) => p.name === 'grpc')?.port).toBe(Number(port));
        expect(SERVICES[componentOf(svc!)].grpc).toBe(Number(port));
        checked++;
      }
    }
    // gateway 5 (auth, chat, model-gateway, retrieval, files) + realtime 2 (auth, chat)
    // + model-gateway 3 (chat, retrieval, files) + retrieval 1 (files)
    expect(checked).toBe(11);
    const gateway = named(objs, 'Deployment', `${RELEASE}-gateway`)!;
    expect(envValue(gateway, 'REALTIME_URL')).toBe(`http://${RELEASE}-realtime:8086`);
    expect(envValue(gateway, 'AUTH_HTTP_URL')).toBe(`http://${RELEASE}-auth:8081`);
  });

  it('runs migrations in a pre-install/pre-upgrade hook Job that can read DATABASE_URL', () => {
    const jobs = ofKind(objs, 'Job');
    expect(jobs).toHaveLength(1);
    const job = jobs[0];
    const hooks = String(job.metadata.annotations['helm.sh/hook']).split(',');
    expect(hooks.sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(job.metadata.annotations['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    const ctr = job.spec.template.spec.containers[0];
    expect(ctr.args).toEqual(['node', 'dist/libs/database/src/migrate.cli.js']);
    expect(ctr.image).toMatch(/parley-migrate:/);
    expect(ctr.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const ref = (ctr.env as Obj[]).find((e) => e.name === 'DATABASE_URL')!.valueFrom.secretKeyRef;
    if (sc.values.postgresql.existingSecret) {
      expect(ref.name).toBe(sc.values.postgresql.existingSecret);
    } else {
      // Hooks run before ordinary objects exist: the Secret must itself be an earlier hook.
      const secret = named(objs, 'Secret', ref.name)!;
      expect(secret).toBeDefined();
      expect(secret.metadata.annotations['helm.sh/hook']).toContain('pre-install');
      expect(Number(secret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
        Number(job.metadata.annotations['helm.sh/hook-weight']),
      );
      expect(secret.stringData[ref.key]).toBe(sc.values.postgresql.url);
    }
  });

  it('routes /ws/ to realtime and everything else to the gateway', () => {
    const ingresses = ofKind(objs, 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    const routes: string[] = [];
    for (const ing of ingresses) {
      for (const rule of ing.spec.rules as Obj[]) {
        for (const p of rule.http.paths as Obj[]) {
          const svc = named(objs, 'Service', p.backend.service.name);
          expect(svc).toBeDefined();
          expect((svc!.spec.ports as Obj[]).some((sp) => sp.name === p.backend.service.port.name)).toBe(true);
          routes.push(`${rule.host ?? '*'} ${p.path} ${p.pathType} ${componentOf(svc!)}`);
        }
      }
    }
    const expected = (sc.values.ingress.hosts as Obj[]).flatMap((h) => [
      `${h.host || '*'} / Prefix gateway`,
      `${h.host || '*'} /ws/ Prefix realtime`,
    ]);
    expect(routes.sort()).toEqual(expected.sort());
  });

  it('gives /ws/ WebSocket timeouts, and sticky sessions only when polling is on', () => {
    const ws = named(objs, 'Ingress', `${RELEASE}-realtime`)!;
    const api = named(objs, 'Ingress', RELEASE)!;
    expect(
      Number(ws.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']),
    ).toBeGreaterThanOrEqual(3600);
    expect(
      Number(ws.metadata.annotations['nginx.ingress.kubernetes.io/proxy-send-timeout']),
    ).toBeGreaterThanOrEqual(3600);
    expect(ws.metadata.annotations[STICKY_ANNOTATION]).toBe(sc.polling ? 'cookie' : undefined);
    expect(api.metadata.annotations[STICKY_ANNOTATION]).toBeUndefined();
    const realtime = named(objs, 'Deployment', `${RELEASE}-realtime`)!;
    expect(envValue(realtime, 'WEBSOCKET_ALLOW_POLLING')).toBe(String(sc.polling));
  });

  it('lets only gateway and realtime take traffic from outside', () => {
    for (const c of PUBLIC) {
      const np = named(objs, 'NetworkPolicy', `${RELEASE}-${c}`)!;
      expect(np).toBeDefined();
      const httpRule = (np.spec.ingress as Obj[]).find((r) => r.ports.some((p: Obj) => p.port === 'http'));
      expect(httpRule).toBeDefined();
      expect(httpRule!.from).toEqual(
        sc.values.networkPolicy.publicFrom.length ? sc.values.networkPolicy.publicFrom : undefined,
      );
      // The gateway's public gRPC API port is open to the same peers as its HTTP port, and only there.
      expect(httpRule!.ports.some((p: Obj) => p.port === 'grpc-api')).toBe(c === 'gateway');
    }
  });

  it('gives the gateway Service a grpc-api port (appProtocol grpc) to the container port', () => {
    const svc = named(objs, 'Service', `${RELEASE}-gateway`)!;
    const port = (svc.spec.ports as Obj[]).find((p) => p.name === 'grpc-api');
    expect(port).toEqual({
      name: 'grpc-api',
      port: GRPC_API_PORT,
      targetPort: 'grpc-api',
      protocol: 'TCP',
      appProtocol: 'grpc',
    });
    // No other Service carries it, and nothing routes it outside unless asked for.
    const others = ofKind(objs, 'Service').filter((s) => s !== svc);
    for (const other of others)
      expect((other.spec.ports as Obj[]).some((p) => p.name === 'grpc-api')).toBe(false);
    expect(named(objs, 'Ingress', `${RELEASE}-grpc-api`)).toBeUndefined();
    expect(ofKind(objs, 'GRPCRoute')).toEqual([]);
  });

  it.each(Object.keys(CALLERS))('admits exactly the callers of %s to its gRPC port', (c) => {
    const np = named(objs, 'NetworkPolicy', `${RELEASE}-${c}`)!;
    expect(np).toBeDefined();
    const pod = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    expect(selects(np.spec.podSelector, pod.spec.template.metadata.labels)).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    const rules = np.spec.ingress as Obj[];
    // No rule may open the service to everyone.
    for (const r of rules) expect(r.from?.length).toBeGreaterThan(0);
    const grpcRules = rules.filter((r) => r.ports.some((p: Obj) => p.port === 'grpc'));
    // A service nobody calls yet has no gRPC rule (an empty `from` would admit everyone).
    expect(grpcRules).toHaveLength(CALLERS[c].length ? 1 : 0);
    if (!CALLERS[c].length) return;
    const admitted = (grpcRules[0].from as Obj[]).map((f) => {
      expect(f.namespaceSelector).toBeUndefined();
      return f.podSelector.matchLabels['app.kubernetes.io/component'];
    });
    expect(admitted.sort()).toEqual([...CALLERS[c]].sort());
    // Every admitted selector really matches the caller's pods.
    for (const f of grpcRules[0].from as Obj[]) {
      const caller = named(
        objs,
        'Deployment',
        `${RELEASE}-${f.podSelector.matchLabels['app.kubernetes.io/component']}`,
      )!;
      expect(selects(f.podSelector, caller.spec.template.metadata.labels)).toBe(true);
    }
    // auth's HTTP port also takes the gateway, for the single sign-on redirects under /oauth/.
    const ssoRules = rules.filter(
      (r) =>
        c === 'auth' &&
        (r.from as Obj[]).some(
          (f) => f.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'gateway',
        ) &&
        r.ports[0].port === 'http',
    );
    if (c === 'auth') {
      expect(ssoRules).toHaveLength(1);
      expect(ssoRules[0].from).toHaveLength(1);
    }
    // The only other port open is the HTTP one, for the metrics scraper.
    const others = rules.filter((r) => !grpcRules.includes(r) && !ssoRules.includes(r));
    expect(others).toHaveLength(1);
    expect(others[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(others[0].from).toEqual(sc.values.networkPolicy.metricsFrom);
    // ...and it names the scraper instead of every pod in the cluster.
    for (const f of others[0].from as Obj[]) {
      const labels = { ...f.podSelector?.matchLabels, ...f.namespaceSelector?.matchLabels };
      expect(Object.keys(labels).length).toBeGreaterThan(0);
    }
  });
});

describe('chart options', () => {
  const minimal = path.join(CHART_DIR, 'examples', 'values-minimal.yaml');
  const multiRegion = path.join(CHART_DIR, 'examples', 'values-multi-region.yaml');

  it('adds cookie affinity on /ws/ when realtime.allowPolling is set, and none without', () => {
    const on = template([minimal], ['--set', 'realtime.allowPolling=true']);
    const off = template([minimal], ['--set', 'realtime.allowPolling=false']);
    const wsOn = named(on, 'Ingress', `${RELEASE}-realtime`)!.metadata.annotations;
    const wsOff = named(off, 'Ingress', `${RELEASE}-realtime`)!.metadata.annotations;
    expect(wsOn[STICKY_ANNOTATION]).toBe('cookie');
    expect(wsOn['nginx.ingress.kubernetes.io/session-cookie-path']).toBe('/ws/');
    expect(Object.keys(wsOff).filter((k) => k.includes('affinity') || k.includes('session-cookie'))).toEqual(
      [],
    );
    expect(named(on, 'Ingress', RELEASE)!.metadata.annotations[STICKY_ANNOTATION]).toBeUndefined();
  });

  it('puts the region label, PARLEY_REGION and the regional NATS on everything in a multi-region install', () => {
    const objs = template([multiRegion]);
    const values = readYaml(multiRegion);
    expect(values.region).toBe('eu-west-1');
    expect(objs.length).toBeGreaterThan(30);
    for (const o of objs)
      expect([o.kind, o.metadata.labels?.['parley.io/region']]).toEqual([o.kind, 'eu-west-1']);
    const deployments = ofKind(objs, 'Deployment');
    expect(deployments).toHaveLength(7);
    for (const d of deployments) {
      expect(d.spec.template.metadata.labels['parley.io/region']).toBe('eu-west-1');
      expect(envValue(d, 'PARLEY_REGION')).toBe('eu-west-1');
      // The gateway speaks no NATS; everything else uses the region's own.
      expect(envValue(d, 'NATS_URL')).toBe(
        componentOf(d) === 'gateway' ? undefined : 'nats://nats.nats-eu-west-1.svc.cluster.local:4222',
      );
      expect(envValue(d, 'OTEL_RESOURCE_ATTRIBUTES')).toContain('cloud.region=eu-west-1');
    }
    // Regions sharing a JetStream domain must not share durable consumers or queue groups.
    expect(envValue(named(objs, 'Deployment', `${RELEASE}-realtime`)!, 'REALTIME_CLUSTER')).toBe(
      `${RELEASE}-eu-west-1`,
    );
    expect(envValue(named(objs, 'Deployment', `${RELEASE}-model-gateway`)!, 'MODEL_GATEWAY_CLUSTER')).toBe(
      `${RELEASE}-eu-west-1`,
    );
    // Shared, read-only secrets: the chart reads them and creates none of its own.
    expect(ofKind(objs, 'Secret')).toEqual([]);
    const auth = named(objs, 'Deployment', `${RELEASE}-auth`)!;
    expect(envOf(auth).WEBUI_SECRET_KEY.valueFrom.secretKeyRef.name).toBe('parley-shared-secret-key');
    expect(envOf(auth).DATABASE_URL.valueFrom.secretKeyRef.name).toBe('parley-shared-database');
    expect(envValue(auth, 'REDIS_MODE')).toBe('sentinel');
    expect(envValue(auth, 'REDIS_SENTINEL_MASTER_NAME')).toBe('mymaster');
  });

  it('has no region label or PARLEY_REGION when no region is set', () => {
    const objs = template([minimal]);
    for (const o of objs) expect(o.metadata.labels?.['parley.io/region']).toBeUndefined();
    for (const d of ofKind(objs, 'Deployment')) expect(envValue(d, 'PARLEY_REGION')).toBeUndefined();
  });

  it('generates WEBUI_SECRET_KEY once and keeps it, unless an existing Secret is named', () => {
    const objs = template([]);
    const secret = named(objs, 'Secret', `${RELEASE}-secret-key`)!;
    expect(secret.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    expect(Buffer.from(secret.data.WEBUI_SECRET_KEY, 'base64').toString()).toMatch(/^[A-Za-z0-9]{64}$/);
    for (const c of ['auth', 'model-gateway']) {
      const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
      expect(envOf(d).WEBUI_SECRET_KEY.valueFrom.secretKeyRef).toEqual({
        name: `${RELEASE}-secret-key`,
        key: 'WEBUI_SECRET_KEY',
      });
    }
    const external = template([], ['--set', 'secrets.webuiSecretKey.existingSecret=my-key']);
    expect(named(external, 'Secret', `${RELEASE}-secret-key`)).toBeUndefined();
    const auth = named(external, 'Deployment', `${RELEASE}-auth`)!;
    expect(envOf(auth).WEBUI_SECRET_KEY.valueFrom.secretKeyRef.name).toBe('my-key');
  });

  it('names the installation on every service with redis.keyPrefix, and pushes OTLP metrics with otel.metrics', () => {
    const objs = template(
      [minimal],
      [
        '--set',
        'redis.keyPrefix=team-a',
        '--set',
        'otel.metrics=true',
        '--set',
        'otel.endpoint=http://otel:4318',
      ],
    );
    const deployments = ofKind(objs, 'Deployment');
    expect(deployments).toHaveLength(COMPONENTS.length);
    for (const d of deployments) {
      expect(envValue(d, 'REDIS_KEY_PREFIX')).toBe('team-a');
      expect(envValue(d, 'ENABLE_OTEL_METRICS')).toBe('true');
    }
    for (const d of ofKind(template([minimal]), 'Deployment')) {
      expect(envValue(d, 'REDIS_KEY_PREFIX')).toBeUndefined();
      expect(envValue(d, 'ENABLE_OTEL_METRICS')).toBeUndefined();
    }
    expect(() => template([minimal], ['--set', 'redis.keyPrefix=a.b'])).toThrow(/keyPrefix/);
  });

  it('gives DEFAULT_MODELS to the gateway and the model gateway, and the fallback to the model gateway', () => {
    const objs = template(
      [minimal],
      ['--set', 'models.defaultModels=gpt-4o\\,llama3', '--set', 'models.customModelFallback=true'],
    );
    for (const d of ofKind(objs, 'Deployment')) {
      const c = componentOf(d);
      expect(envValue(d, 'DEFAULT_MODELS')).toBe(
        ['gateway', 'model-gateway'].includes(c) ? 'gpt-4o,llama3' : undefined,
      );
      expect(envValue(d, 'ENABLE_CUSTOM_MODEL_FALLBACK')).toBe(c === 'model-gateway' ? 'true' : undefined);
    }
  });

  it('passes Redis Sentinel settings to the services that use Redis', () => {
    const objs = template([path.join(CHART_DIR, 'examples', 'values-ha.yaml')]);
    const users = ofKind(objs, 'Deployment').filter((d) => envOf(d).REDIS_URL);
    expect(users.map(componentOf).sort()).toEqual(['auth', 'gateway', 'model-gateway', 'realtime']);
    for (const d of users) {
      expect(envValue(d, 'REDIS_MODE')).toBe('sentinel');
      expect(envValue(d, 'REDIS_SENTINEL_HOSTS')?.split(',')).toHaveLength(3);
      expect(envValue(d, 'REDIS_SENTINEL_MASTER_NAME')).toBe('mymaster');
      expect(envOf(d).REDIS_URL.valueFrom.secretKeyRef).toEqual({ name: 'parley-redis', key: 'REDIS_URL' });
    }
  });

  it('gives retrieval VECTOR_DB and PGVECTOR_DB_URL: the database of DATABASE_URL unless its own URL or Secret is set', () => {
    const vectorEnv = (objs: Obj[]) => {
      const retrieval = named(objs, 'Deployment', `${RELEASE}-retrieval`)!;
      expect(envValue(retrieval, 'VECTOR_DB')).toBe('pgvector');
      return {
        ref: envOf(retrieval).PGVECTOR_DB_URL!.valueFrom.secretKeyRef,
        env: renderedEnv(objs, retrieval),
      };
    };
    const byDefault = template([]);
    expect(vectorEnv(byDefault).ref).toEqual({ name: `${RELEASE}-connections`, key: 'DATABASE_URL' });
    expect(vectorEnv(byDefault).env.PGVECTOR_DB_URL).toBe(vectorEnv(byDefault).env.DATABASE_URL);
    // no other service gets the vector store
    for (const d of ofKind(byDefault, 'Deployment').filter((d) => componentOf(d) !== 'retrieval'))
      expect(envOf(d).PGVECTOR_DB_URL).toBeUndefined();

    const sharedDatabase = template(
      [],
      ['--set', 'postgresql.existingSecret=pg', '--set', 'postgresql.existingSecretKey=url'],
    );
    expect(vectorEnv(sharedDatabase).ref).toEqual({ name: 'pg', key: 'url' });

    const ownUrl = template(
      [],
      [
        '--set',
        'postgresql.existingSecret=pg',
        '--set',
        'redis.existingSecret=rd',
        '--set',
        'vectorDb.url=postgresql://parley@pgvector:5432/vectors',
      ],
    );
    expect(vectorEnv(ownUrl).ref).toEqual({ name: `${RELEASE}-connections`, key: 'PGVECTOR_DB_URL' });
    expect(named(ownUrl, 'Secret', `${RELEASE}-connections`)!.stringData).toEqual({
      PGVECTOR_DB_URL: 'postgresql://parley@pgvector:5432/vectors',
    });

    const ownSecret = template(
      [],
      ['--set', 'vectorDb.existingSecret=vs', '--set', 'vectorDb.url=postgresql://ignored/x'],
    );
    expect(vectorEnv(ownSecret).ref).toEqual({ name: 'vs', key: 'PGVECTOR_DB_URL' });
    expect(named(ownSecret, 'Secret', `${RELEASE}-connections`)!.stringData.PGVECTOR_DB_URL).toBeUndefined();

    expect(templateFails([], ['--set', 'vectorDb.engine=chroma'])).toMatch(/vectorDb\/engine/);
    expect(templateFails([], ['--set', 'vectorDb.url=mysql://db/x'])).toMatch(/vectorDb\/url/);
  });

  it('sets the OpenTelemetry endpoint and a service name per service', () => {
    const objs = template([], ['--set', 'otel.endpoint=http://collector:4318']);
    const deployments = ofKind(objs, 'Deployment');
    expect(deployments).toHaveLength(7);
    for (const d of deployments) {
      expect(envValue(d, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe('http://collector:4318');
      expect(envValue(d, 'OTEL_SERVICE_NAME')).toBe(`parley-${componentOf(d)}`);
    }
    for (const d of ofKind(template([]), 'Deployment'))
      expect(envValue(d, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBeUndefined();
  });

  it('renders a ServiceMonitor only when the cluster has the Prometheus operator API', () => {
    expect(ofKind(template([]), 'ServiceMonitor')).toEqual([]);
    const withOperator = template([], ['--api-versions', 'monitoring.coreos.com/v1']);
    const monitors = ofKind(withOperator, 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    expect(monitors[0].spec.endpoints).toEqual([
      expect.objectContaining({ port: 'http', path: '/metrics' }),
      expect.objectContaining({ port: 'metrics', path: '/metrics' }),
    ]);
    // The gateway's public port answers 404 for /metrics: only its metrics port is scraped.
    expect(monitors[0].spec.endpoints[0].relabelings).toEqual([
      expect.objectContaining({ regex: 'gateway', action: 'drop' }),
    ]);
    const gatewaySvc = ofKind(withOperator, 'Service').find((s) => componentOf(s) === 'gateway');
    expect(gatewaySvc.spec.ports).toContainEqual(expect.objectContaining({ name: 'metrics', port: 9464 }));
    const gatewayDeployment = ofKind(withOperator, 'Deployment').find((d) => componentOf(d) === 'gateway');
    expect(envValue(gatewayDeployment, 'METRICS_PORT')).toBe('9464');
    expect(envValue(gatewayDeployment, 'TRUST_PROXY')).toBe('loopback, uniquelocal');
    for (const svc of ofKind(withOperator, 'Service'))
      expect(selects(monitors[0].spec.selector, svc.metadata.labels)).toBe(true);
    const disabled = template(
      [],
      ['--api-versions', 'monitoring.coreos.com/v1', '--set', 'metrics.serviceMonitor.enabled=false'],
    );
    expect(ofKind(disabled, 'ServiceMonitor')).toEqual([]);
  });

  it('mounts the files volume only for the local storage provider', () => {
    const local = named(template([minimal]), 'Deployment', `${RELEASE}-files`)!;
    expect(envValue(local, 'STORAGE_PROVIDER')).toBe('local');
    const mount = (container(local).volumeMounts as Obj[]).find(
      (m) => m.mountPath === envValue(local, 'UPLOAD_DIR'),
    );
    expect(mount).toBeDefined();
    const volume = (local.spec.template.spec.volumes as Obj[]).find((v) => v.name === mount!.name)!;
    expect(volume.persistentVolumeClaim.claimName).toBe(`${RELEASE}-files`);

    const s3 = named(
      template([path.join(CHART_DIR, 'examples', 'values-ha.yaml')]),
      'Deployment',
      `${RELEASE}-files`,
    )!;
    expect(envValue(s3, 'STORAGE_PROVIDER')).toBe('s3');
    expect(envValue(s3, 'S3_BUCKET_NAME')).toBe('parley-files');
    expect(envOf(s3).S3_SECRET_ACCESS_KEY.valueFrom.secretKeyRef.name).toBe('parley-s3');
    expect((container(s3).volumeMounts as Obj[]).map((m) => m.mountPath)).toEqual(['/tmp']);
  });
});

describe('internal gRPC TLS (grpcTls)', () => {
  const MOUNT = '/etc/parley/grpc-tls';
  const TLS_ENV = {
    GRPC_TLS_CERT_FILE: `${MOUNT}/tls.crt`,
    GRPC_TLS_KEY_FILE: `${MOUNT}/tls.key`,
    GRPC_TLS_CA_FILE: `${MOUNT}/ca.crt`,
  };
  const withSecret = ['--set', 'grpcTls.enabled=true', '--set', 'grpcTls.existingSecret=parley-internal-tls'];
  const withIssuer = [
    '--set',
    'grpcTls.enabled=true',
    '--set',
    'grpcTls.certManager.issuerRef.name=internal-ca',
    '--set',
    'grpcTls.certManager.issuerRef.kind=ClusterIssuer',
  ];
  const tlsVolume = (d: Obj) => (d.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'grpc-tls');
  const tlsMount = (d: Obj) => (container(d).volumeMounts as Obj[]).find((m) => m.name === 'grpc-tls');

  it('is off by default: no TLS env, no certificate volume, no Certificate', () => {
    for (const sc of SCENARIOS) {
      const objs = template(sc.files);
      expect(ofKind(objs, 'Certificate')).toEqual([]);
      for (const d of ofKind(objs, 'Deployment')) {
        for (const name of Object.keys(TLS_ENV)) expect(envOf(d)[name]).toBeUndefined();
        expect(tlsVolume(d)).toBeUndefined();
        expect(tlsMount(d)).toBeUndefined();
      }
    }
  });

  it('passes helm lint --strict with a Secret and with cert-manager', () => {
    for (const extra of [withSecret, withIssuer]) {
      const result = runHelm(['lint', '--strict', CHART_DIR, ...extra]);
      expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
      expect(result.status).toBe(0);
    }
  });

  it('mounts an existing Secret read-only on every component and points the TLS env at its files', () => {
    const objs = template([], withSecret);
    expect(ofKind(objs, 'Certificate')).toEqual([]);
    const deployments = ofKind(objs, 'Deployment');
    expect(deployments.map(componentOf).sort()).toEqual([...COMPONENTS].sort());
    for (const d of deployments) {
      for (const [name, value] of Object.entries(TLS_ENV))
        expect([name, envValue(d, name)]).toEqual([name, value]);
      expect(tlsMount(d)).toEqual({ name: 'grpc-tls', mountPath: MOUNT, readOnly: true });
      const volume = tlsVolume(d)!;
      expect(volume.secret.secretName).toBe('parley-internal-tls');
      // The cert-manager layout: what the env names, under the same file names.
      expect((volume.secret.items as Obj[]).map((i) => [i.key, i.path])).toEqual([
        ['tls.crt', 'tls.crt'],
        ['tls.key', 'tls.key'],
        ['ca.crt', 'ca.crt'],
      ]);
      // Readable by the service's group (fsGroup), by nobody else.
      expect(volume.secret.defaultMode).toBe(0o440);
      expect(d.spec.template.spec.securityContext.fsGroup).toBeDefined();
    }
  });

  it('has cert-manager issue one certificate for server and client auth, into the Secret every pod mounts', () => {
    const objs = template([], withIssuer);
    const certificates = ofKind(objs, 'Certificate');
    expect(certificates).toHaveLength(1);
    const cert = certificates[0]!;
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec.issuerRef).toEqual({
      name: 'internal-ca',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
    expect(cert.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    expect(cert.spec.privateKey.rotationPolicy).toBe('Always');
    // Renewed well before it expires.
    expect(parseInt(cert.spec.renewBefore, 10)).toBeLessThan(parseInt(cert.spec.duration, 10));
    for (const d of ofKind(objs, 'Deployment')) {
      expect(tlsVolume(d)!.secret.secretName).toBe(cert.spec.secretName);
      expect(envValue(d, 'GRPC_TLS_CA_FILE')).toBe(TLS_ENV.GRPC_TLS_CA_FILE);
    }
  });

  it("names every gRPC target the clients dial and every component's Service in all its forms", () => {
    const objs = template(
      [],
      [...withIssuer, '--set', 'grpcTls.extraDnsNames[0]=parley-grpc.example.internal'],
    );
    const dnsNames: string[] = ofKind(objs, 'Certificate')[0]!.spec.dnsNames;
    const targets = ofKind(objs, 'Deployment').flatMap((d) =>
      (container(d).env as Obj[])
        .filter((e) => e.name.endsWith('_GRPC_URL'))
        .map(
          (e) =>
            String(e.value)
              .replace(/^dns:\/\/\//, '')
              .split(':')[0]!,
        ),
    );
    expect(targets.length).toBeGreaterThan(5);
    for (const host of targets) expect(dnsNames).toContain(host);
    for (const service of ofKind(objs, 'Service')) {
      const name = service.metadata.name;
      for (const form of [
        name,
        `${name}.${NAMESPACE}`,
        `${name}.${NAMESPACE}.svc`,
        `${name}.${NAMESPACE}.svc.cluster.local`,
      ])
        expect(dnsNames).toContain(form);
    }
    expect(dnsNames).toContain('parley-grpc.example.internal');
    expect(new Set(dnsNames).size).toBe(dnsNames.length);
  });

  it('refuses TLS without a certificate source, and with two', () => {
    const none = templateFails([], ['--set', 'grpcTls.enabled=true']);
    expect(none).toContain('grpcTls.existingSecret');
    expect(none).toContain('grpcTls.certManager.issuerRef.name');
    const both = templateFails(
      [],
      [...withSecret, '--set', 'grpcTls.certManager.issuerRef.name=internal-ca'],
    );
    expect(both).toMatch(/either grpcTls.existingSecret or grpcTls.certManager.issuerRef.name, not both/);
  });

  it('rejects an issuer kind cert-manager does not have, naming the field', () => {
    const stderr = templateFails([], [...withIssuer, '--set', 'grpcTls.certManager.issuerRef.kind=Vault']);
    expect(stderr).toMatch(/grpcTls.*issuerRef.*kind|kind.*ClusterIssuer/);
  });
});

describe('per-service shutdown budgets', () => {
  const objs = template([]);
  const budget = (c: string) => {
    const d = named(objs, 'Deployment', `${RELEASE}-${c}`)!;
    return {
      graceMs: Number(envValue(d, 'SHUTDOWN_GRACE_MS')),
      preStop: Number(container(d).lifecycle.preStop.exec.command[1]),
      termination: d.spec.template.spec.terminationGracePeriodSeconds as number,
    };
  };

  it.each(['gateway', 'auth', 'chat', 'model-gateway', 'retrieval', 'files', 'realtime'])(
    '%s: the pod’s grace holds the preStop sleep, the drain and a margin',
    (c) => {
      const b = budget(c);
      expect(b.termination * 1000).toBeGreaterThanOrEqual(b.preStop * 1000 + b.graceMs + 5000);
    },
  );

  it('gives streamed answers a minute on the gateway and model-gateway, and 10 s elsewhere', () => {
    expect(budget('gateway').graceMs).toBe(60_000);
    expect(budget('model-gateway').graceMs).toBe(60_000);
    expect(budget('chat').graceMs).toBe(10_000);
  });
});

describe('edge: ingress modes and Gateway API', () => {
  it('single mode: one Ingress, everything to the gateway (which proxies /ws/), long enough for sockets', () => {
    const objs = template([], ['--set', 'ingress.mode=single']);
    const ingresses = ofKind(objs, 'Ingress');
    expect(ingresses.map((i) => i.metadata.name)).toEqual([RELEASE]);
    const paths = ingresses[0]!.spec.rules[0].http.paths as Obj[];
    expect(paths.map((p) => [p.path, p.backend.service.name])).toEqual([['/', `${RELEASE}-gateway`]]);
    expect(Number(ingresses[0]!.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBe(
      3600,
    );
  });

  it('refuses single mode with long-polling, which needs affinity to one realtime copy', () => {
    const stderr = templateFails([], ['--set', 'ingress.mode=single', '--set', 'realtime.allowPolling=true']);
    expect(stderr).toContain('ingress.mode single');
    expect(stderr).toContain('realtime.allowPolling');
  });

  it('leaves out the ingress-nginx annotations for other controllers, keeping the operator’s', () => {
    const objs = template(
      [],
      [
        '--set',
        'ingress.nginxAnnotations=false',
        '--set-string',
        'ingress.annotations.traefik\\.ingress\\.kubernetes\\.io/router\\.tls=true',
      ],
    );
    for (const ing of ofKind(objs, 'Ingress')) {
      const keys = Object.keys(ing.metadata.annotations ?? {});
      expect(keys.filter((k) => k.startsWith('nginx.'))).toEqual([]);
      expect(keys).toContain('traefik.ingress.kubernetes.io/router.tls');
    }
  });

  it('renders an HTTPRoute for Gateway API: /ws/ to realtime, the rest to the gateway', () => {
    const objs = template(
      [],
      [
        '--set',
        'gatewayApi.enabled=true',
        '--set',
        'gatewayApi.parentRefs[0].name=public',
        '--set',
        'gatewayApi.parentRefs[0].namespace=gateway-system',
        '--set',
        'gatewayApi.hostnames[0]=chat.example.com',
        '--set',
        'ingress.enabled=false',
      ],
    );
    expect(ofKind(objs, 'Ingress')).toEqual([]);
    const route = named(objs, 'HTTPRoute', RELEASE)!;
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateway-system' }]);
    expect(route.spec.hostnames).toEqual(['chat.example.com']);
    const rules = (route.spec.rules as Obj[]).map((r) => [
      r.matches[0].path.value,
      r.backendRefs[0].name,
      r.backendRefs[0].port,
    ]);
    expect(rules).toEqual([
      ['/ws/', `${RELEASE}-realtime`, 8086],
      ['/', `${RELEASE}-gateway`, 8080],
    ]);
    expect(templateFails([], ['--set', 'gatewayApi.enabled=true'])).toContain('gatewayApi.parentRefs');
  });

  it('renders the gRPC API Ingress example: backend-protocol GRPC to the grpc-api port of its own host', () => {
    const objs = template(
      [],
      [
        '--set',
        'grpcApi.ingress.enabled=true',
        '--set',
        'grpcApi.ingress.hosts[0].host=grpc.example.com',
        '--set',
        'grpcApi.ingress.tls[0].hosts[0]=grpc.example.com',
        '--set',
        'grpcApi.ingress.tls[0].secretName=grpc-tls',
        '--set',
        'gateway.grpcApiPort=50443',
      ],
    );
    const ing = named(objs, 'Ingress', `${RELEASE}-grpc-api`)!;
    expect(ing.spec.ingressClassName).toBe('nginx');
    const annotations = ing.metadata.annotations;
    expect(annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    expect(ing.spec.tls).toEqual([{ hosts: ['grpc.example.com'], secretName: 'grpc-tls' }]);
    expect(ing.spec.rules).toEqual([
      {
        host: 'grpc.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: `${RELEASE}-gateway`, port: { name: 'grpc-api' } } },
            },
          ],
        },
      },
    ]);
    // The named port follows the configured one, in the Service and in the container.
    const svc = named(objs, 'Service', `${RELEASE}-gateway`)!;
    expect((svc.spec.ports as Obj[]).find((p) => p.name === 'grpc-api')?.port).toBe(50443);
    const gateway = named(objs, 'Deployment', `${RELEASE}-gateway`)!;
    expect((container(gateway).ports as Obj[]).find((p) => p.name === 'grpc-api')?.containerPort).toBe(50443);
    expect(envValue(gateway, 'GRPC_API_PORT')).toBe('50443');
    // The web app's Ingress is left as it was.
    expect(
      named(objs, 'Ingress', RELEASE)!.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol'],
    ).toBeUndefined();
  });

  it('serves the gRPC API port with its own certificate from a TLS Secret, and the Ingress speaks GRPCS to it', () => {
    const objs = template(
      [],
      ['--set', 'gateway.grpcApiTls.secretName=grpc-api-cert', '--set', 'grpcApi.ingress.enabled=true'],
    );
    const gateway = named(objs, 'Deployment', `${RELEASE}-gateway`)!;
    const mount = (container(gateway).volumeMounts as Obj[]).find((m) => m.name === 'grpc-api-tls')!;
    expect(envValue(gateway, 'GRPC_API_TLS_CERT_FILE')).toBe(`${mount.mountPath}/tls.crt`);
    expect(envValue(gateway, 'GRPC_API_TLS_KEY_FILE')).toBe(`${mount.mountPath}/tls.key`);
    const volume = (gateway.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'grpc-api-tls')!;
    expect(volume.secret).toMatchObject({
      secretName: 'grpc-api-cert',
      items: [
        { key: 'tls.crt', path: 'tls.crt' },
        { key: 'tls.key', path: 'tls.key' },
      ],
    });
    const ing = named(objs, 'Ingress', `${RELEASE}-grpc-api`)!;
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPCS');
    // Only the gateway gets it; by default nobody does.
    for (const d of ofKind(objs, 'Deployment').filter((x) => x !== gateway))
      expect(envValue(d, 'GRPC_API_TLS_CERT_FILE')).toBeUndefined();
    expect(
      envValue(named(template([]), 'Deployment', `${RELEASE}-gateway`)!, 'GRPC_API_TLS_CERT_FILE'),
    ).toBeUndefined();
  });

  it('renders the gRPC API GRPCRoute example for Gateway API, and refuses it without parentRefs', () => {
    const objs = template(
      [],
      [
        '--set',
        'grpcApi.grpcRoute.enabled=true',
        '--set',
        'grpcApi.grpcRoute.parentRefs[0].name=public',
        '--set',
        'grpcApi.grpcRoute.parentRefs[0].sectionName=grpc',
        '--set',
        'grpcApi.grpcRoute.hostnames[0]=grpc.example.com',
      ],
    );
    const route = named(objs, 'GRPCRoute', `${RELEASE}-grpc-api`)!;
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'public', sectionName: 'grpc' }],
      hostnames: ['grpc.example.com'],
      rules: [{ backendRefs: [{ name: `${RELEASE}-gateway`, port: GRPC_API_PORT }] }],
    });
    // The backend port is one the gateway Service really has, speaking gRPC.
    const svc = named(objs, 'Service', `${RELEASE}-gateway`)!;
    expect((svc.spec.ports as Obj[]).find((p) => p.port === GRPC_API_PORT)?.appProtocol).toBe('grpc');
    expect(templateFails([], ['--set', 'grpcApi.grpcRoute.enabled=true'])).toContain(
      'grpcApi.grpcRoute.parentRefs',
    );
    expect(
      templateFails([writeValues('grpcApi:\n  ingress:\n    enabled: true\n    hosts: []\n')]),
    ).toContain('grpcApi.ingress.hosts');
  });
});

describe('egress NetworkPolicies (networkPolicy.egress)', () => {
  const stores = writeValues(`
networkPolicy:
  egress:
    enabled: true
    postgresql: [{ ipBlock: { cidr: 10.10.0.0/24 } }]
    redis: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: redis } } }]
    nats: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: nats } } }]
    s3: [{ ipBlock: { cidr: 52.0.0.0/8 } }]
files:
  storage: { provider: s3, s3: { bucket: parley-files, region: eu-west-1 } }
`);
  const objs = template([stores]);
  /** What a component may reach: [target, port] pairs, with 'dns', 'pg', ... for the stores. */
  const reach = (c: string) => {
    const np = named(objs, 'NetworkPolicy', `${RELEASE}-${c}-egress`)!;
    expect(np.spec.policyTypes).toEqual(['Egress']);
    return (np.spec.egress as Obj[]).flatMap((rule) =>
      (rule.to as Obj[]).flatMap((peer) =>
        (rule.ports as Obj[]).map((p) => {
          const target =
            peer.podSelector?.matchLabels?.['app.kubernetes.io/component'] ??
            peer.podSelector?.matchLabels?.['k8s-app'] ??
            peer.ipBlock?.cidr ??
            peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
          return `${target}:${p.port}`;
        }),
      ),
    );
  };

  it('lets each service reach exactly DNS, the services it calls and the stores it uses', () => {
    expect(reach('gateway').sort()).toEqual(
      [
        'kube-dns:53',
        'kube-dns:53',
        'auth:50051',
        'chat:50052',
        'model-gateway:50053',
        'retrieval:50054',
        'files:50055',
        'realtime:8086',
        'auth:8081',
        'redis:6379',
        'redis:26379',
      ].sort(),
    );
    expect(reach('chat').sort()).toEqual(
      ['kube-dns:53', 'kube-dns:53', '10.10.0.0/24:5432', 'nats:4222'].sort(),
    );
    expect(reach('files')).toContain('52.0.0.0/8:443');
    expect(reach('retrieval').sort()).toEqual(
      ['kube-dns:53', 'kube-dns:53', '10.10.0.0/24:5432', 'nats:4222', 'files:50055'].sort(),
    );
    expect(reach('model-gateway')).toEqual(
      expect.arrayContaining(['chat:50052', '0.0.0.0/0:443', '0.0.0.0/0:11434']),
    );
    // Only model-gateway reaches the internet.
    for (const c of ['gateway', 'auth', 'chat', 'retrieval', 'files', 'realtime'])
      expect(reach(c).some((r) => r.startsWith('0.0.0.0/0'))).toBe(false);
    expect(reach('migrate').sort()).toEqual(['kube-dns:53', 'kube-dns:53', '10.10.0.0/24:5432'].sort());
  });

  it('refuses to turn egress on without saying where a store is', () => {
    const stderr = templateFails([], ['--set', 'networkPolicy.egress.enabled=true']);
    expect(stderr).toMatch(/networkPolicy.egress.(postgresql|redis|nats) must list where/);
  });

  it('renders no egress policy unless asked', () => {
    expect(
      ofKind(template([]), 'NetworkPolicy').filter((np) => np.metadata.name.endsWith('-egress')),
    ).toEqual([]);
  });
});

describe('files on local storage', () => {
  it('defaults to one copy on a ReadWriteOnce volume, replaced with Recreate', () => {
    const objs = template([]);
    const files = named(objs, 'Deployment', `${RELEASE}-files`)!;
    expect(files.spec.replicas).toBe(1);
    expect(files.spec.strategy).toEqual({ type: 'Recreate' });
    expect(named(objs, 'PersistentVolumeClaim', `${RELEASE}-files`)!.spec.accessModes).toEqual([
      'ReadWriteOnce',
    ]);
    expect(ofKind(objs, 'HorizontalPodAutoscaler').map(componentOf)).not.toContain('files');
  });

  it('refuses several copies unless the volume is ReadWriteMany', () => {
    for (const extra of [
      ['--set', 'files.replicaCount=2'],
      ['--set', 'files.autoscaling.enabled=true'],
    ]) {
      expect(templateFails([], extra)).toContain('needs a shared volume');
    }
    const shared = template(
      [],
      [
        '--set',
        'files.replicaCount=3',
        '--set',
        'files.storage.local.persistence.accessModes[0]=ReadWriteMany',
      ],
    );
    const files = named(shared, 'Deployment', `${RELEASE}-files`)!;
    expect(files.spec.replicas).toBe(3);
    expect(files.spec.strategy.type).toBe('RollingUpdate');
  });
});

describe('NOTES', () => {
  const notes = (extra: string[] = []) => {
    const result = runHelm(['install', RELEASE, CHART_DIR, '--dry-run=client', ...extra]);
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout.slice(result.stdout.indexOf('NOTES:'));
  };

  it('prints the PostgreSQL connection budget at the autoscalers’ maximum', () => {
    const values = SCENARIOS[0]!.values;
    const dataOwners = ['auth', 'chat', 'modelGateway', 'retrieval', 'files'];
    const copies = dataOwners.map((k) =>
      values[k].autoscaling.enabled ? values[k].autoscaling.maxReplicas : values[k].replicaCount,
    );
    const budget = 1 + copies.reduce((a: number, b: number) => a + b, 0) * values.postgresql.poolSize;
    expect(notes()).toContain(`PostgreSQL connections: at most ${budget} from this release`);
    expect(notes(['--set', 'postgresql.poolSize=2'])).toContain(
      `at most ${1 + copies.reduce((a: number, b: number) => a + b, 0) * 2} from`,
    );
  });

  it('warns about the placeholder database URL and open policies, and not once they are set', () => {
    expect(notes()).toContain('postgresql.url is the chart’s placeholder'.replace('’', "'"));
    expect(notes()).toContain('networkPolicy.publicFrom is empty');
    const set = notes([
      '--set',
      'postgresql.url=postgresql://parley@pg.internal:5432/parley',
      '--set',
      'networkPolicy.publicFrom[0].namespaceSelector.matchLabels.name=ingress',
    ]);
    expect(set).not.toContain('placeholder');
    expect(set).not.toContain('publicFrom is empty');
  });
});

describe('extension points', () => {
  const values = writeValues(`
files:
  extraVolumes: [{ name: ca, configMap: { name: corp-ca } }]
  extraVolumeMounts: [{ name: ca, mountPath: /etc/corp-ca, readOnly: true }]
  initContainers: [{ name: wait, image: 'busybox:1.36', command: ['true'] }]
  sidecars: [{ name: proxy, image: 'envoy:{{ .Release.Name }}' }]
  priorityClassName: parley-high
  updateStrategy: { type: Recreate }
  serviceAccount: { create: true, annotations: { eks.amazonaws.com/role-arn: 'arn:aws:iam::1:role/files' } }
extraObjects:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: '{{ .Release.Name }}-extra' }
    data: { a: b }
`);
  const objs = template([values]);
  const files = named(objs, 'Deployment', `${RELEASE}-files`)!;
  const pod = files.spec.template.spec;

  it('mounts extra volumes, runs init containers and sidecars (through tpl), and sets priority and strategy', () => {
    expect(pod.volumes.map((v: Obj) => v.name)).toContain('ca');
    expect(container(files).volumeMounts).toContainEqual({
      name: 'ca',
      mountPath: '/etc/corp-ca',
      readOnly: true,
    });
    expect(pod.initContainers.map((c: Obj) => c.name)).toEqual(['wait']);
    expect(pod.containers.map((c: Obj) => [c.name, c.image])).toContainEqual(['proxy', `envoy:${RELEASE}`]);
    expect(pod.priorityClassName).toBe('parley-high');
    expect(files.spec.strategy).toEqual({ type: 'Recreate' });
    // Others keep the defaults.
    const chat = named(objs, 'Deployment', `${RELEASE}-chat`)!;
    expect(chat.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(chat.spec.template.spec.priorityClassName).toBeUndefined();
  });

  it('gives a service its own ServiceAccount when asked, the shared one otherwise', () => {
    expect(pod.serviceAccountName).toBe(`${RELEASE}-files`);
    const sa = named(objs, 'ServiceAccount', `${RELEASE}-files`)!;
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::1:role/files');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(named(objs, 'Deployment', `${RELEASE}-chat`)!.spec.template.spec.serviceAccountName).toBe(RELEASE);
  });

  it('mounts a private CA bundle in every service and points NODE_EXTRA_CA_CERTS at it', () => {
    const withCa = template(
      [],
      ['--set', 'caBundle.configMapName=corp-ca', '--set', 'caBundle.key=bundle.pem'],
    );
    const deployments = ofKind(withCa, 'Deployment');
    expect(deployments).toHaveLength(7);
    for (const d of deployments) {
      expect(envValue(d, 'NODE_EXTRA_CA_CERTS')).toBe('/etc/parley/ca-bundle/ca.crt');
      const volume = (d.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'ca-bundle')!;
      expect(volume.configMap).toEqual({ name: 'corp-ca', items: [{ key: 'bundle.pem', path: 'ca.crt' }] });
      expect(container(d).volumeMounts).toContainEqual({
        name: 'ca-bundle',
        mountPath: '/etc/parley/ca-bundle',
        readOnly: true,
      });
    }
    expect(envValue(named(objs, 'Deployment', `${RELEASE}-chat`)!, 'NODE_EXTRA_CA_CERTS')).toBeUndefined();
  });

  it('installs extra objects rendered through tpl', () => {
    expect(named(objs, 'ConfigMap', `${RELEASE}-extra`)?.data).toEqual({ a: 'b' });
  });
});

describe('generated secrets on an upgrade helm cannot look them up for', () => {
  it('fails with a message naming the Secret and both ways out, instead of making a new key', () => {
    const stderr = templateFails([], ['--is-upgrade']);
    expect(stderr).toContain('the Secret parley-secret-key holding WEBUI_SECRET_KEY was not found');
    expect(stderr).toContain('secrets.webuiSecretKey.existingSecret');
    expect(stderr).toContain('secrets.webuiSecretKey.generateOnUpgrade=true');
  });

  it('guards the caller assertion secret the same way', () => {
    const stderr = templateFails([], ['--is-upgrade', '--set', 'secrets.webuiSecretKey.existingSecret=keys']);
    expect(stderr).toContain('CALLER_ASSERTION_SECRET was not found');
  });

  it('makes new ones on an upgrade only when asked, and never touches existing Secrets', () => {
    const asked = template(
      [],
      [
        '--is-upgrade',
        '--set',
        'secrets.webuiSecretKey.generateOnUpgrade=true',
        '--set',
        'secrets.callerAssertion.generateOnUpgrade=true',
      ],
    );
    expect(named(asked, 'Secret', `${RELEASE}-secret-key`)?.data.WEBUI_SECRET_KEY).toBeDefined();
    const managed = template(
      [],
      [
        '--is-upgrade',
        '--set',
        'secrets.webuiSecretKey.existingSecret=keys',
        '--set',
        'secrets.callerAssertion.existingSecret=assertion',
      ],
    );
    expect(ofKind(managed, 'Secret').map((o) => o.metadata.name)).not.toContain(`${RELEASE}-secret-key`);
  });
});

describe('values validation', () => {
  it('accepts the shipped values (control for the rejections below)', () => {
    expect(template([], ['--set', 'gateway.replicaCount=2'])).not.toHaveLength(0);
  });

  it('rejects a replica count that is not a number, naming the field', () => {
    const stderr = templateFails([writeValues('gateway:\n  replicaCount: two\n')]);
    expect(stderr).toMatch(/schema/i);
    expect(stderr).toMatch(/gateway.*replicaCount|replicaCount.*gateway/);
  });

  it('rejects an unknown Redis mode, naming the field and the allowed modes', () => {
    const stderr = templateFails([writeValues('redis:\n  mode: memcached\n')]);
    expect(stderr).toMatch(/redis.*mode/);
    expect(stderr).toMatch(/standalone/);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const stderr = templateFails([writeValues('realtime:\n  allowPoling: true\n')]);
    expect(stderr).toMatch(/allowPoling/);
  });

  it('rejects Sentinel mode without Sentinel hosts', () => {
    const stderr = templateFails([], ['--set', 'redis.mode=sentinel']);
    expect(stderr).toMatch(/sentinel/i);
    expect(stderr).toMatch(/hosts/);
  });

  it('rejects a termination grace period shorter than the drain time', () => {
    const stderr = templateFails([], ['--set', 'shutdown.terminationGracePeriodSeconds=12']);
    expect(stderr).toContain('shutdown.terminationGracePeriodSeconds (12 s)');
  });

  it('checks each service’s own shutdown budget, naming it', () => {
    const stderr = templateFails([], ['--set', 'modelGateway.shutdown.graceMs=90000']);
    expect(stderr).toContain('modelGateway.shutdown.terminationGracePeriodSeconds (75 s)');
    expect(stderr).toContain('model-gateway');
  });

  it('rejects autoscaling bounds that cross', () => {
    const stderr = templateFails(
      [],
      ['--set', 'chat.autoscaling.minReplicas=5', '--set', 'chat.autoscaling.maxReplicas=3'],
    );
    expect(stderr).toContain('chat.autoscaling.minReplicas');
  });

  it('rejects running as root', () => {
    const stderr = templateFails([writeValues('podSecurityContext:\n  runAsNonRoot: false\n')]);
    expect(stderr).toMatch(/runAsNonRoot/);
  });
});
