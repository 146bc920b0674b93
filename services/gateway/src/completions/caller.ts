import type { AuthenticatedRequest } from '@parley/auth-guard';
import type { Request, Response } from 'express';

/** Who is calling, as the model gateway needs it. TODO(verified callers, phase B): the assertion carries it. */
export function callerOf(req: AuthenticatedRequest) {
  return { userId: req.user.id, role: req.user.role, groupIds: [...req.caller.groupIds] };
}

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
