/**
 * An upstream did not give a usable answer. `httpStatus` is what our caller answers with: the upstream's
 * own 4xx (its message passed through), 502 for an unreachable or failing upstream, 504 for a timeout.
 * `countsAgainstUpstream` feeds the circuit breaker; a 4xx is the request's fault, not the upstream's.
 */
export class UpstreamFailure extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly countsAgainstUpstream: boolean,
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }

  static unreachable(origin: string, detail: string): UpstreamFailure {
    return new UpstreamFailure(502, `The model server at ${origin} could not be reached (${detail}).`, true);
  }

  static timeout(origin: string, what: string): UpstreamFailure {
    return new UpstreamFailure(504, `The model server at ${origin} did not ${what} in time.`, true);
  }

  static broken(origin: string): UpstreamFailure {
    return new UpstreamFailure(
      502,
      `The model server at ${origin} ended the stream before it was complete.`,
      true,
    );
  }

  /** From an upstream error answer: 4xx keeps its status and message; 5xx becomes a 502 with the message. */
  static fromResponse(origin: string, status: number, bodyText: string): UpstreamFailure {
    const message = errorMessageOf(bodyText) ?? `HTTP ${status}`;
    if (status >= 400 && status < 500) return new UpstreamFailure(status, message, false);
    return new UpstreamFailure(502, `The model server at ${origin} failed: ${message}`, true);
  }
}

/** OpenAI answers `{error: {message}}`, Ollama `{error: "..."}`, others `{detail}` or `{message}`. */
export function errorMessageOf(bodyText: string): string | undefined {
  try {
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    const error = body.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
      return (error as { message: string }).message;
    if (typeof body.detail === 'string') return body.detail;
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON
  }
  const text = bodyText.trim();
  return text ? text.slice(0, 500) : undefined;
}
