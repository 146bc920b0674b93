/**
 * The name a user gave, made safe to show and to put in a header: the last path segment only, no control
 * or bidi-override characters, at most 255 characters (the extension kept). Storage never uses it.
 */
export function sanitizeFilename(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // C0/C1 controls, and the bidi overrides that make "evil\u202Efdp.exe" read as "evilexe.pdf".
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .replace(/^\.+$/, '');
  if (!cleaned) return 'file';
  if (cleaned.length <= 255) return cleaned;
  const ext = extensionOf(cleaned);
  const keep = ext && ext.length < 20 ? `.${ext}` : '';
  return cleaned.slice(0, 255 - keep.length) + keep;
}

/** The lowercase extension without the dot ("" when none). */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}
