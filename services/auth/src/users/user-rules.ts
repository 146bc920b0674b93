import { DomainError, ErrorKind } from '@parley/errors';

export const ROLES = ['admin', 'user', 'pending'] as const;
export type RoleName = (typeof ROLES)[number];

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 255;
/** argon2 of a huge input is a cheap way to burn our CPU; no real password is this long. */
export const MAX_PASSWORD_LENGTH = 256;

export function invalid(message: string): DomainError {
  return new DomainError(ErrorKind.InvalidArgument, message);
}

export function normaliseName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('A name is required.');
  if (trimmed.length > MAX_NAME_LENGTH)
    throw invalid(`The name is longer than ${MAX_NAME_LENGTH} characters.`);
  return trimmed;
}

export function normaliseEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!value) throw invalid('An email address is required.');
  if (value.length > MAX_EMAIL_LENGTH)
    throw invalid(`The email address is longer than ${MAX_EMAIL_LENGTH} characters.`);
  if (!EMAIL_PATTERN.test(value)) throw invalid('The email address is not valid.');
  return value;
}

export function checkPassword(password: string, minLength: number): void {
  if (password.length < minLength)
    throw invalid(`The password must be at least ${minLength} characters long.`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw invalid(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
}

export function checkProfileImageUrl(url: string): string {
  if (url.length > 2_000_000) throw invalid('The profile image is larger than 2 MB.');
  if (url && !/^(\/|https?:\/\/|data:image\/)/.test(url))
    throw invalid('The profile image must be an http(s) URL, a path or a data:image URL.');
  return url;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
