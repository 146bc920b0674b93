import { parseResourceAttributes } from './tracing';

describe('parseResourceAttributes (OTEL_RESOURCE_ATTRIBUTES)', () => {
  it('reads key=value pairs and decodes percent-escapes', () => {
    expect(parseResourceAttributes('deployment.environment=prod, team=chat%20platform')).toEqual({
      'deployment.environment': 'prod',
      team: 'chat platform',
    });
  });

  it('leaves out what does not parse instead of failing the start', () => {
    expect(parseResourceAttributes('=x,novalue,bad=%E0%A4%A,ok=1')).toEqual({ ok: '1' });
    expect(parseResourceAttributes(undefined)).toEqual({});
  });
});
