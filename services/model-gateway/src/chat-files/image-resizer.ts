import sharp from 'sharp';

/** Formats sent on as they are when resized; anything else (GIF, TIFF, AVIF, ...) becomes PNG. */
const KEPT_FORMATS = ['jpeg', 'png', 'webp'] as const;
type KeptFormat = (typeof KEPT_FORMATS)[number];
const isKept = (format: string | undefined): format is KeptFormat =>
  (KEPT_FORMATS as readonly string[]).includes(format ?? '');

/**
 * An image scaled so its longest side is at most `maxSide` pixels (aspect kept, never enlarged). An
 * image that already fits is returned byte for byte, so nothing is re-encoded without need.
 */
export async function fitImage(
  bytes: Buffer,
  contentType: string,
  maxSide: number,
): Promise<{ bytes: Buffer; contentType: string }> {
  const image = sharp(bytes, { failOn: 'error' });
  const meta = await image.metadata();
  const longest = Math.max(meta.width ?? 0, meta.height ?? 0);
  if (longest <= maxSide) return { bytes, contentType };
  const format: KeptFormat = isKept(meta.format) ? meta.format : 'png';
  const resized = await image
    .rotate() // honour EXIF orientation before the size is measured against maxSide
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .toFormat(format)
    .toBuffer();
  return { bytes: resized, contentType: `image/${format}` };
}
