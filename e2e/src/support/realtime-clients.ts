import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, Socket as TcpSocket } from 'node:net';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { connect as natsConnect, JSONCodec, NatsConnection } from 'nats';
import { io, Socket } from 'socket.io-client';
import { eventsV1 } from '@parley/proto';

/** A `chat:completion` event (parley.events.v1.ChatCompletion, docs/realtime-events.md). */
export type CompletionEvent = eventsV1.ChatCompletion;

/**
 * A `chat:completion` payload read with the generated schema, strictly: a field the message does not
 * declare, or one of the wrong type, throws, so a test fails when the wire form drifts from the proto.
 */
export function readCompletion(payload: unknown): CompletionEvent {
  return fromJson(eventsV1.ChatCompletionSchema, payload as JsonValue);
}

interface Assembly {
  next: number;
  pending: Map<number, CompletionEvent>;
  content: string;
  done: boolean;
  error?: string;
}

/**
 * What a client does with `chat:completion` events, as docs/realtime-events.md describes: append in seq
 * order, hold an early seq until the gap fills, drop a seq it already has.
 */
export class CompletionAssembler {
  readonly messages = new Map<string, Assembly>();
  duplicates = 0;

  /** Takes a payload as the socket delivered it. */
  apply(payload: unknown): void {
    const event = readCompletion(payload);
    let assembly = this.messages.get(event.messageId);
    if (!assembly) {
      assembly = { next: 1, pending: new Map(), content: '', done: false };
      this.messages.set(event.messageId, assembly);
    }
    if (event.seq < assembly.next || assembly.pending.has(event.seq)) {
      this.duplicates++;
      return;
    }
    assembly.pending.set(event.seq, event);
    for (let e = assembly.pending.get(assembly.next); e; e = assembly.pending.get(assembly.next)) {
      assembly.pending.delete(assembly.next);
      assembly.content += e.content;
      assembly.next++;
      if (e.done) {
        assembly.done = true;
        assembly.error = e.error;
      }
    }
  }

  /** `{ streams }` for `chat:completion:resume`: the last seq held of every message not finished. */
  resumeRequest(): { streams: Array<{ message_id: string; after_seq: number }> } {
    return {
      streams: [...this.messages.entries()]
        .filter(([, a]) => !a.done)
        .map(([message_id, a]) => ({ message_id, after_seq: a.next - 1 })),
    };
  }

  contentOf(messageId: string): string | undefined {
    return this.messages.get(messageId)?.content;
  }

  isDone(messageId: string): boolean {
    return this.messages.get(messageId)?.done ?? false;
  }
}

/**
 * A client that behaves like the web app across copies: when its connection drops it connects to the
 * next URL (a load balancer would pick a live copy) and resumes every unfinished answer.
 */
export class ResumingClient {
  readonly assembler = new CompletionAssembler();
  readonly events: Array<{ name: string; payload: unknown }> = [];
  socket?: Socket;
  reconnects = 0;
  resumeFailures = 0;
  /** Deltas that arrived through a resume and were not already held. */
  resumedDeltas = 0;
  connectedTo?: string;
  private index = 0;
  private closed = false;

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    private readonly options: { maxReconnects?: number; reconnectDelayMs?: number } = {},
  ) {}

  async connect(): Promise<void> {
    for (let attempt = 0; attempt < (this.options.maxReconnects ?? 30); attempt++) {
      if (this.closed) return;
      const url = this.urls[this.index % this.urls.length]!;
      try {
        await this.open(url);
        return;
      } catch {
        this.index++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error('the client could not reconnect to any copy');
  }

  private open(url: string): Promise<void> {
    const socket = io(url, {
      path: '/ws/socket.io',
      transports: ['websocket'],
      auth: { token: this.token },
      reconnection: false,
      forceNew: true,
      timeout: 5_000,
    });
    socket.onAny((name: string, payload: unknown) => {
      this.events.push({ name, payload });
      if (name === 'chat:completion') this.assembler.apply(payload);
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
      socket.once('connect', () => {
        this.socket = socket;
        this.connectedTo = url;
        socket.once('disconnect', () => {
          if (this.closed) return;
          this.reconnects++;
          this.index++;
          setTimeout(() => void this.connect().catch(() => undefined), this.options.reconnectDelayMs ?? 0);
        });
        void this.resume();
        resolve();
      });
    });
  }

  async resume(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    try {
      const ack = (await socket
        .timeout(5_000)
        .emitWithAck('chat:completion:resume', this.assembler.resumeRequest())) as {
        ok: boolean;
        completions?: unknown[];
      };
      if (!ack.ok) throw new Error('resume refused');
      for (const event of ack.completions ?? []) {
        const before = this.assembler.duplicates;
        this.assembler.apply(event);
        if (this.assembler.duplicates === before) this.resumedDeltas++;
      }
    } catch {
      this.resumeFailures++;
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}

export async function connectNats(url: string): Promise<NatsConnection> {
  return natsConnect({ servers: url, name: `e2e-${process.pid}` });
}

const codec = JSONCodec<unknown>();

export function publishJson(nc: NatsConnection, subject: string, payload: unknown): void {
  nc.publish(subject, codec.encode(payload));
}

/** An answer a test streams by hand, the way model-gateway does. */
export interface StreamedAnswer {
  user: { id: string };
  text: string;
  deltas: string[];
}

/**
 * Publishes delta `tick` of every answer on `completion.<message_id>` (seq `tick + 1`, `done` on the
 * last delta, chat `chat-<user_id>`), as model-gateway publishes them.
 */
export function publishDeltas(nc: NatsConnection, answers: Map<string, StreamedAnswer>, tick: number): void {
  for (const [messageId, answer] of answers) {
    publishJson(nc, `completion.${messageId}`, {
      v: 1,
      user_id: answer.user.id,
      chat_id: `chat-${answer.user.id}`,
      message_id: messageId,
      seq: tick + 1,
      delta: answer.deltas[tick],
      done: tick === answer.deltas.length - 1,
    });
  }
}

/** Splits a text into `parts` deltas (on code points, so no emoji is cut in half). */
export function splitIntoDeltas(text: string, parts: number): string[] {
  const chars = [...text];
  const size = Math.ceil(chars.length / parts);
  const out: string[] = [];
  for (let i = 0; i < parts; i++) out.push(chars.slice(i * size, (i + 1) * size).join(''));
  return out;
}

/** A text with multi-byte characters, for character-for-character comparisons. */
export function sampleAnswer(seed: string, length = 600): string {
  const alphabet = 'abcdefghij klmnop qrstuv wxyz ÄÖÜ ß é 漢字 😀🚀 \n```ts\n{}\n``` ';
  const chars = [...alphabet];
  const bytes = randomBytes(length);
  let text = `${seed}: `;
  for (let i = 0; i < length; i++) text += chars[bytes[i]! % chars.length];
  return text;
}

/**
 * A WebSocket client written by hand on a TCP socket, so a test can stop reading (pause the socket)
 * and play the stalled browser tab. It speaks just enough engine.io/Socket.IO to sign in.
 */
export class RawSocketIoClient {
  readonly tcp: TcpSocket;
  private received = Buffer.alloc(0);
  closed = false;

  private constructor(tcp: TcpSocket) {
    this.tcp = tcp;
    tcp.on('data', (chunk: Buffer) => {
      // Keep only the start: enough for the handshake, without holding megabytes.
      if (this.received.length < 64_000) this.received = Buffer.concat([this.received, chunk]);
    });
    tcp.on('close', () => (this.closed = true));
    tcp.on('error', () => undefined);
  }

  static async connect(baseUrl: string, token: string): Promise<{ client: RawSocketIoClient; open: string }> {
    const { hostname, port } = new URL(baseUrl);
    const tcp = tcpConnect({ host: hostname, port: Number(port) });
    await new Promise<void>((resolve, reject) => {
      tcp.once('connect', resolve);
      tcp.once('error', reject);
    });
    const client = new RawSocketIoClient(tcp);
    tcp.write(
      `GET /ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
    const open = await client.waitForText(/0(\{"sid".*?\})/, 5_000);
    client.sendText(`40${JSON.stringify({ token })}`);
    await client.waitForText(/40(\{"sid".*?\})/, 5_000);
    return { client, open };
  }

  private async waitForText(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(this.received.toString('latin1'));
      if (match) return match[1]!;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${pattern} from the server: ${this.received.toString('latin1').slice(0, 300)}`);
  }

  /** A masked text frame, as RFC 6455 requires from clients. */
  sendText(text: string): void {
    const payload = Buffer.from(text);
    const mask = randomBytes(4);
    const header =
      payload.length < 126
        ? Buffer.from([0x81, 0x80 | payload.length])
        : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    this.tcp.write(Buffer.concat([header, mask, masked]));
  }

  /** Stops reading: the kernel buffers fill, then the server's. */
  stall(): void {
    this.tcp.pause();
  }

  /** Reads again (and drops what arrives), so the end of the connection can be seen. */
  drain(): void {
    this.tcp.on('data', () => undefined);
    this.tcp.resume();
  }

  destroy(): void {
    this.tcp.destroy();
  }
}
