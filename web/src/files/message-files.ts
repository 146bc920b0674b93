// A message's `files`, in Open WebUI's shape: what the composer sends and what a sent message shows.

/**
 * One item of a message's `files` (Open WebUI: `{type, id, url, name, size, status, ...}`); a knowledge
 * base picked with `#` is `{type: 'collection', id, name}` (url and size empty).
 */
export interface MessageFile {
  type: 'image' | 'file' | 'collection';
  id: string;
  /** `/api/v1/files/{id}`, as Open WebUI stores it. */
  url: string;
  name: string;
  size: number;
  status: 'uploaded';
  content_type?: string;
}

export function isImageType(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('image/');
}

/** The files of a stored message; items this app cannot show (other shapes, other clients) are skipped. */
export function readMessageFiles(message: object): MessageFile[] {
  const files = (message as { files?: unknown }).files;
  if (!Array.isArray(files)) return [];
  return files.flatMap((item: unknown): MessageFile[] => {
    if (typeof item !== 'object' || item === null) return [];
    const f = item as Record<string, unknown>;
    if (typeof f['id'] !== 'string' || typeof f['name'] !== 'string') return [];
    const contentType = typeof f['content_type'] === 'string' ? f['content_type'] : undefined;
    return [
      {
        type: f['type'] === 'image' || f['type'] === 'collection' ? f['type'] : 'file',
        id: f['id'],
        url: typeof f['url'] === 'string' ? f['url'] : '',
        name: f['name'],
        size: typeof f['size'] === 'number' ? f['size'] : 0,
        status: 'uploaded',
        ...(contentType ? { content_type: contentType } : {}),
      },
    ];
  });
}

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** `1536` → `1.5 kB` (`1,5 kB` in German): powers of 1024, unit names from Intl. */
export function formatSize(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: SIZE_UNITS[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1,
  }).format(value);
}
