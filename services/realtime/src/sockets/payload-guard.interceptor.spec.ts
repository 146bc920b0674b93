import 'reflect-metadata';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { MESSAGE_MAPPING_METADATA } from '@nestjs/websockets/constants';
import { firstValueFrom, of, throwError } from 'rxjs';
import { DomainError, ErrorKind } from '@parley/errors';
import type { Logger } from '@parley/logging';
import type { RealtimeConfig } from '../realtime.config';
import { describeUnsafePayload, PayloadGuardInterceptor } from './payload-guard.interceptor';
import { RealtimeGateway } from './realtime.gateway';

function contextWith(data: unknown): ExecutionContext {
  return {
    getHandler: () => function joinChat() {},
    switchToWs: () => ({ getData: () => data }),
  } as unknown as ExecutionContext;
}

describe('PayloadGuardInterceptor', () => {
  const logger = { error: jest.fn() } as unknown as Logger;
  const sut = new PayloadGuardInterceptor({ REALTIME_MAX_PAYLOAD_BYTES: 1_024 } as RealtimeConfig, logger);
  const handler = (): CallHandler & { handle: jest.Mock } => ({ handle: jest.fn(() => of({ ok: true })) });

  const deep = (levels: number): unknown => {
    let value: unknown = 'x';
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };

  it.each([
    ['a NUL', { chat_id: 'a\u0000b' }, /payload\.chat_id contains a NUL/],
    ['a lone surrogate', { chat_id: 'a\ud800' }, /payload\.chat_id contains a lone UTF-16 surrogate/],
    ['a surrogate in a key', { ['k\udc00']: 1 }, /a key in payload contains a lone/],
    ['100 levels', deep(100), /nested deeper than the limit of 64/],
    ['too many bytes', { chat_id: 'x'.repeat(2_000) }, /payload is \d+ bytes; the limit is 1024/],
  ])('answers %s with an error ack and never runs the handler', async (_what, payload, detail) => {
    const next = handler();
    const ack = (await firstValueFrom(sut.intercept(contextWith(payload), next))) as {
      ok: boolean;
      detail: string;
    };
    expect(ack.ok).toBe(false);
    expect(ack.detail).toMatch(detail);
    expect(next.handle).not.toHaveBeenCalled();
  });

  it('runs the handler for a fine payload, or none', async () => {
    for (const payload of [{ chat_id: 'c1' }, undefined, 42]) {
      const next = handler();
      expect(await firstValueFrom(sut.intercept(contextWith(payload), next))).toEqual({ ok: true });
      expect(next.handle).toHaveBeenCalledTimes(1);
    }
  });

  it('turns a handler that throws or rejects into an error ack', async () => {
    const throwing: CallHandler = {
      handle: () => {
        throw new Error('boom');
      },
    };
    expect(await firstValueFrom(sut.intercept(contextWith({}), throwing))).toEqual({
      ok: false,
      detail: 'The realtime service could not answer; try again shortly.',
      code: 'INTERNAL',
    });
    const rejecting: CallHandler = {
      handle: () => throwError(() => new DomainError(ErrorKind.NotFound, 'No such chat.')),
    };
    expect(await firstValueFrom(sut.intercept(contextWith({}), rejecting))).toEqual({
      ok: false,
      detail: 'No such chat.',
      code: 'NOT_FOUND',
    });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('guards every event handler of the gateway (set on the class, so a new handler is covered)', () => {
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, RealtimeGateway)).toContain(PayloadGuardInterceptor);
    const methods = Object.getOwnPropertyNames(RealtimeGateway.prototype)
      .map((name) => Object.getOwnPropertyDescriptor(RealtimeGateway.prototype, name)?.value as unknown)
      .filter((value): value is object => typeof value === 'function');
    const handlers = methods.filter((method) => Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method));
    expect(handlers.length).toBeGreaterThanOrEqual(5);
    // A handler-level @UseInterceptors would replace nothing but could be mistaken for the guard.
    for (const method of handlers) expect(Reflect.getMetadata(INTERCEPTORS_METADATA, method)).toBeUndefined();
  });

  it('refuses a payload that cannot be written as JSON', () => {
    expect(describeUnsafePayload({ n: BigInt(1) }, 1_024)).toEqual({
      problem: 'payload could not be read as JSON',
      code: 'INVALID_INPUT',
    });
  });
});
