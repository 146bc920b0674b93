import { describe, expect, it } from 'vitest';
import { extractCode, extractDetail } from './api-error';

describe('extractDetail', () => {
  it('reads a string detail and joins validation messages', () => {
    expect(extractDetail({ detail: 'Email taken' })).toBe('Email taken');
    expect(extractDetail({ detail: [{ msg: 'email required' }, { msg: 'password too short' }] })).toBe(
      'email required; password too short',
    );
  });

  it('gives null for bodies without a usable detail', () => {
    expect(extractDetail(null)).toBeNull();
    expect(extractDetail({ message: 'x' })).toBeNull();
    expect(extractDetail({ detail: '  ' })).toBeNull();
  });
});

describe('extractCode', () => {
  it('reads an UPPER_SNAKE code and ignores anything else', () => {
    expect(extractCode({ detail: 'x', code: 'CHAT_NOT_FOUND' })).toBe('CHAT_NOT_FOUND');
    expect(extractCode({ detail: 'x', code: 'not a code' })).toBeNull();
    expect(extractCode({ detail: 'x', code: 7 })).toBeNull();
    expect(extractCode(null)).toBeNull();
  });
});
