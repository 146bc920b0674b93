import { defineRoute, defineRoutes } from '../contract/route-contract';
import { z } from '../contract/zod-openapi';

const tags = ['documentation'] as const;

export const apiDocsContract = defineRoutes({
  openapi: defineRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document (OpenAPI 3.1)',
    tags,
    auth: 'public',
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.unknown()) } },
  }),
  page: defineRoute({
    method: 'get',
    path: '/docs',
    summary: 'The API reference page (loads its viewer only when opened)',
    tags,
    auth: 'public',
    responses: { 200: { description: 'A small HTML page', contentType: 'text/html' } },
  }),
  asset: defineRoute({
    method: 'get',
    path: '/docs/assets/{file}',
    summary: "The reference page's script and style (from swagger-ui-dist, served offline)",
    tags,
    auth: 'public',
    params: z.object({ file: z.string() }),
    responses: {
      200: { description: 'The file', contentType: 'application/octet-stream' },
      404: { description: 'No such file' },
    },
  }),
});

/** Lifecycle routes (libs/lifecycle's HealthController), declared here so the document lists them. */
export const healthContract = defineRoutes({
  health: defineRoute({
    method: 'get',
    path: '/health',
    summary: 'Whether the gateway is up',
    tags: ['operations'],
    auth: 'public',
    responses: { 200: { description: 'Up', schema: z.record(z.unknown()) } },
  }),
  live: defineRoute({
    method: 'get',
    path: '/health/live',
    summary: 'Liveness probe',
    tags: ['operations'],
    auth: 'public',
    responses: { 200: { description: 'Alive', schema: z.record(z.unknown()) } },
  }),
  ready: defineRoute({
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness probe (503 while a dependency is down or the copy drains)',
    tags: ['operations'],
    auth: 'public',
    responses: { 200: { description: 'Ready', schema: z.record(z.unknown()) } },
  }),
  metrics: defineRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (on the metrics port; hidden on the public one)',
    tags: ['operations'],
    auth: 'public',
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
  }),
});
