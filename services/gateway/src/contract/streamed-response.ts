import type { Response } from 'express';

/** Waits until the response can take more, so a slow reader holds back a streamed export. */
export function writeWithBackpressure(res: Response, text: string): Promise<void> {
  return new Promise((resolve) => (res.write(text) ? resolve() : res.once('drain', () => resolve())));
}
