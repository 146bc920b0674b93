/** What an admin sees of a key: enough to recognise it, never enough to use it. */
export function maskKey(key: string): string {
  if (!key) return '';
  if (key.length <= 8) return '****';
  return `${key.slice(0, 3)}…${key.slice(-4)}`;
}

export function isMasked(value: string): boolean {
  return value === '****' || /^.{3}….{4}$/u.test(value);
}
