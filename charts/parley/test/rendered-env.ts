// The environment a rendered Deployment's container would see: plain values as written, Secret and
// ConfigMap references resolved from the same render. A reference to a Secret the operator manages
// (existingSecret) gets a stand-in of the right form, so the service's own schema can judge the rest.
import type { Obj } from './rendered-chart';

/** Stand-ins for keys held in operator-managed Secrets, shaped as the services expect them. */
const STAND_INS: Record<string, string> = {
  DATABASE_URL: 'postgresql://parley:stand-in@postgresql:5432/parley',
  REDIS_URL: 'redis://:stand-in@redis:6379/0',
  NATS_URL: 'nats://nats:4222',
  MIGRATION_DATABASE_URL: 'postgresql://parley_ddl:stand-in@postgresql:5432/parley',
  PGVECTOR_DB_URL: 'postgresql://parley:stand-in@pgvector:5432/parley',
};
const GENERIC_SECRET = 'stand-in-secret-'.padEnd(64, 'x');

function decoded(obj: Obj, key: string): string | undefined {
  if (obj.stringData?.[key] !== undefined) return String(obj.stringData[key]);
  if (obj.data?.[key] !== undefined) {
    return obj.kind === 'Secret'
      ? Buffer.from(String(obj.data[key]), 'base64').toString('utf8')
      : String(obj.data[key]);
  }
  return undefined;
}

function lookup(objs: Obj[], kind: 'Secret' | 'ConfigMap', name: string, key: string): string {
  const obj = objs.find((o) => o.kind === kind && o.metadata?.name === name);
  const value = obj ? decoded(obj, key) : undefined;
  if (value !== undefined) return value;
  if (obj) throw new Error(`${kind} ${name} is rendered but has no key ${key}`);
  return STAND_INS[key] ?? GENERIC_SECRET;
}

function allKeys(objs: Obj[], kind: 'Secret' | 'ConfigMap', name: string): Record<string, string> {
  const obj = objs.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!obj) return {};
  const keys = [...Object.keys(obj.data ?? {}), ...Object.keys(obj.stringData ?? {})];
  return Object.fromEntries(keys.map((key) => [key, decoded(obj, key)!]));
}

/** The env of a workload's (Deployment, Job) first container, as the process would receive it. */
export function renderedEnv(objs: Obj[], workload: Obj): Record<string, string> {
  const container = workload.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const source of (container.envFrom ?? []) as Obj[]) {
    const prefix = source.prefix ?? '';
    const from = source.secretRef
      ? allKeys(objs, 'Secret', source.secretRef.name)
      : allKeys(objs, 'ConfigMap', source.configMapRef.name);
    for (const [key, value] of Object.entries(from)) env[prefix + key] = value;
  }
  for (const entry of (container.env ?? []) as Obj[]) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef) {
      const ref = entry.valueFrom.secretKeyRef;
      env[entry.name] = lookup(objs, 'Secret', ref.name, ref.key);
    } else if (entry.valueFrom?.configMapKeyRef) {
      const ref = entry.valueFrom.configMapKeyRef;
      env[entry.name] = lookup(objs, 'ConfigMap', ref.name, ref.key);
    } else if (entry.valueFrom?.fieldRef) {
      env[entry.name] = `field-${entry.valueFrom.fieldRef.fieldPath}`;
    } else {
      env[entry.name] = '';
    }
  }
  return env;
}
