/** The part of a Socket.IO client socket the app uses; tests pass a fake. */
export interface RealtimeConnection {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect(): unknown;
  /** Client → server request; the last argument may be the acknowledgement callback. */
  emit(event: string, ...args: unknown[]): unknown;
  /** Socket.IO's session id while connected. */
  readonly id?: string | undefined;
  readonly connected?: boolean;
}

export type ConnectRealtime = (token: string | null) => RealtimeConnection;
