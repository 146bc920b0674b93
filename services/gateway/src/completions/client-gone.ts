import type { Request, Response } from 'express';

/**
 * An AbortSignal that fires when the HTTP client goes away before the response finished: it cancels the
 * gRPC call, and the model gateway then closes the upstream connection.
 */
export function clientGone(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  const abort = () => {
    if (!res.writableFinished) controller.abort(new Error('the client went away'));
  };
  res.once('close', abort);
  req.once('aborted', abort);
  return controller.signal;
}
