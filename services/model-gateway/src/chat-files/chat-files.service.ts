import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import type { ActingUser } from '../authorization/acting-user';
import { MODEL_GATEWAY_CONFIG, ModelGatewayConfig } from '../model-gateway.config';
import {
  boundedText,
  contentParts,
  contextBlock,
  FileReference,
  fileIdOfUrl,
  nameOf,
  referenceOf,
} from './chat-files';
import { type ChatFileInfo, FilesClient, imageTooLarge } from './files.client';
import { fitImage } from './image-resizer';

type Json = Record<string, unknown>;

/** What the model is known to handle: Open WebUI's `meta.capabilities` of a preset. */
export interface ModelCapabilities {
  vision?: boolean;
}

/** The `capabilities` in a preset's meta, when it has any. */
export function capabilitiesOf(meta: Record<string, unknown> | undefined): ModelCapabilities {
  const capabilities = meta?.capabilities;
  return capabilities && typeof capabilities === 'object' ? (capabilities as ModelCapabilities) : {};
}

const noVision = (model: string) =>
  new DomainError(
    ErrorKind.InvalidArgument,
    `The model "${model}" does not take images (its capabilities say vision: false); ` +
      'choose a model with vision or remove the image.',
    { code: 'MODEL_NO_VISION' },
  );

/**
 * Turns the `files` of a completion into what the model reads, acting as the completion's user:
 * images become image parts (an OpenAI `image_url` data URL; the Ollama translation makes it `images`),
 * scaled to MODEL_IMAGE_MAX_SIDE; documents become their extracted text in a context block before the
 * message's text. A file the user may not read stops the completion with FILE_NOT_FOUND (the files
 * service's answer): nothing is dropped silently. The `files` fields never reach the upstream.
 */
@Injectable()
export class ChatFilesService {
  constructor(
    @Inject(FilesClient) private readonly files: FilesClient,
    @Inject(MODEL_GATEWAY_CONFIG) private readonly config: ModelGatewayConfig,
  ) {}

  async attach<T extends Json & { model: string }>(
    user: ActingUser,
    body: T,
    capabilities: ModelCapabilities,
  ): Promise<T> {
    const messages = (body.messages as Json[]).map((m) => ({ ...m }));
    const { files: formFiles, ...rest } = body;
    if (Array.isArray(formFiles) && formFiles.length) {
      const lastUser = messages.map((m) => m.role).lastIndexOf('user');
      if (lastUser < 0)
        throw new DomainError(ErrorKind.InvalidArgument, 'files need a user message to belong to.');
      const own = Array.isArray(messages[lastUser]!.files) ? (messages[lastUser]!.files as unknown[]) : [];
      messages[lastUser]!.files = [...own, ...formFiles];
    }
    // Images the client wrote itself are refused before anything is read; file images once typed.
    if (capabilities.vision === false && messages.some(hasImage)) throw noVision(body.model);
    const resolved = await Promise.all(messages.map((message) => this.resolveMessage(user, message)));
    if (capabilities.vision === false && resolved.some(hasImage)) throw noVision(body.model);
    return { ...rest, messages: resolved } as unknown as T;
  }

  private async resolveMessage(user: ActingUser, message: Json): Promise<Json> {
    const { files, ...rest } = message;
    const entries = Array.isArray(files) ? files : [];
    // A string content without files goes on untouched; parts may hold images to read or scale.
    if (!entries.length && !Array.isArray(rest.content)) return rest;
    const images: Json[] = [];
    const documents: Array<{ name: string; text: string }> = [];
    for (const [i, entry] of entries.entries()) {
      const ref = referenceOf(entry);
      if (!ref)
        throw new DomainError(
          ErrorKind.InvalidArgument,
          `files.${i} names no file: give its id (or an image as a data URL).`,
          { code: 'INVALID_FILE_REFERENCE' },
        );
      const part = await this.resolve(user, ref, nameOf(entry));
      if ('image' in part) images.push(part.image);
      else documents.push(part.document);
    }
    const parts = await Promise.all(
      contentParts(rest.content).map((p) => (p.type === 'image_url' ? this.imageOfPart(user, p) : p)),
    );
    if (documents.length) {
      const context = contextBlock(documents);
      const firstText = parts.findIndex((p) => p.type === 'text');
      if (firstText < 0) parts.unshift({ type: 'text', text: context });
      else parts[firstText] = { ...parts[firstText], text: context + String(parts[firstText]!.text ?? '') };
    }
    const allText = !images.length && parts.every((p) => p.type === 'text');
    return {
      ...rest,
      content: allText ? parts.map((p) => p.text).join('\n') : [...parts, ...images],
    };
  }

  private async resolve(
    user: ActingUser,
    ref: FileReference,
    name: string | undefined,
  ): Promise<{ image: Json } | { document: { name: string; text: string } }> {
    if ('dataUrl' in ref) return { image: await this.fitDataUrl(ref.dataUrl) };
    const info = await this.files.info(user, ref.fileId);
    if (info.contentType.startsWith('image/')) return { image: await this.imageFile(user, info) };
    const text = await this.files.text(user, info.id);
    return {
      document: {
        name: info.filename || name || info.id,
        text: boundedText(text, this.config.MODEL_FILE_CONTEXT_MAX_CHARS),
      },
    };
  }

  /**
   * An image part the client wrote itself: a files-API URL (Open WebUI's frontend sends those) is read
   * as the user, a data URL is scaled; any other URL is the upstream's to fetch.
   */
  private async imageOfPart(user: ActingUser, part: Json): Promise<Json> {
    const url = (part.image_url as { url?: unknown } | undefined)?.url;
    if (typeof url !== 'string') return part;
    if (url.startsWith('data:')) return this.fitDataUrl(url);
    const fileId = fileIdOfUrl(url);
    if (!fileId) return part;
    const info = await this.files.info(user, fileId);
    if (!info.contentType.startsWith('image/'))
      throw new DomainError(ErrorKind.InvalidArgument, `"${info.filename}" is not an image.`, {
        code: 'IMAGE_UNREADABLE',
      });
    return this.imageFile(user, info);
  }

  private async imageFile(user: ActingUser, info: ChatFileInfo): Promise<Json> {
    const raw = await this.files.bytes(user, info.id, this.maxImageBytes);
    return this.fitted(raw, info.contentType, info.filename);
  }

  private async fitDataUrl(url: string): Promise<Json> {
    const match = DATA_URL.exec(url);
    if (!match) throw unreadable('An image in the message');
    const raw = Buffer.from(match[2]!, 'base64');
    if (raw.length > this.maxImageBytes) throw imageTooLarge('An image in the message', this.maxImageBytes);
    return this.fitted(raw, match[1]!, 'An image in the message');
  }

  private async fitted(raw: Buffer, contentType: string, name: string): Promise<Json> {
    const fitted = await fitImage(raw, contentType, this.config.MODEL_IMAGE_MAX_SIDE).catch(() => {
      throw unreadable(`"${name}"`);
    });
    return imagePart(`data:${fitted.contentType};base64,${fitted.bytes.toString('base64')}`);
  }

  private get maxImageBytes(): number {
    return this.config.MODEL_IMAGE_MAX_INPUT_MB * 1024 * 1024;
  }
}

const DATA_URL = /^data:(image\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]*)$/;

const unreadable = (what: string) =>
  new DomainError(ErrorKind.InvalidArgument, `${what} is not an image that can be read.`, {
    code: 'IMAGE_UNREADABLE',
  });

const imagePart = (url: string): Json => ({ type: 'image_url', image_url: { url } });

const hasImage = (message: Json) =>
  Array.isArray(message.content) && (message.content as Json[]).some((p) => p?.type === 'image_url');
