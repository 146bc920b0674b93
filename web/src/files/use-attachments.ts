import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi, type ApiClient, type FileModel } from '../api';
import { fileUrl, filesApi } from './files-api';
import { isImageType, type MessageFile } from './message-files';

/** How often a file's extraction status is asked for while it is pending. */
const STATUS_POLL_MS = 750;

export type AttachmentState = 'uploading' | 'processing' | 'ready' | 'failed';

/** A file on the composer, from the moment it is chosen until the message is sent. */
export interface Attachment {
  key: string;
  name: string;
  size: number;
  image: boolean;
  state: AttachmentState;
  /** Share of the bytes sent, 0 to 1. */
  progress: number;
  /** A local URL of an image, for its thumbnail before the upload is done. */
  previewUrl?: string;
  file?: FileModel;
  /** What went wrong: the failed call, or the extraction's reason. */
  error?: unknown;
}

/** Extraction ended `failed`: the reason is the server's. */
export class ProcessingFailed extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? 'processing failed');
    this.name = 'ProcessingFailed';
  }
}

let counter = 0;

/** The composer's attachments: each uploads at once, with progress, then waits for its extraction. */
export function useAttachments() {
  const api = useApi();
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const controllers = useRef(new Map<string, AbortController>());

  const update = useCallback((key: string, change: Partial<Attachment>) => {
    setAttachments((list) => list.map((a) => (a.key === key ? { ...a, ...change } : a)));
  }, []);

  const add = useCallback(
    (files: readonly File[]) => {
      for (const file of files) {
        counter += 1;
        const key = `attachment-${counter}`;
        const image = isImageType(file.type);
        const controller = new AbortController();
        controllers.current.set(key, controller);
        setAttachments((list) => [
          ...list,
          {
            key,
            name: file.name,
            size: file.size,
            image,
            state: 'uploading',
            progress: 0,
            ...(image ? { previewUrl: URL.createObjectURL(file) } : {}),
          },
        ]);
        void uploadAndProcess(api, file, controller.signal, (change) => update(key, change)).finally(() =>
          controllers.current.delete(key),
        );
      }
    },
    [api, update],
  );

  const remove = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    setAttachments((list) => {
      const gone = list.find((a) => a.key === key);
      if (gone?.previewUrl) URL.revokeObjectURL(gone.previewUrl);
      return list.filter((a) => a.key !== key);
    });
  }, []);

  const clear = useCallback(() => {
    setAttachments((list) => {
      for (const a of list) if (a.previewUrl) URL.revokeObjectURL(a.previewUrl);
      return [];
    });
  }, []);

  useEffect(() => {
    const running = controllers.current;
    return () => running.forEach((controller) => controller.abort());
  }, []);

  return { attachments, add, remove, clear };
}

async function uploadAndProcess(
  api: ApiClient,
  file: File,
  signal: AbortSignal,
  report: (change: Partial<Attachment>) => void,
): Promise<void> {
  try {
    const uploaded = await filesApi.upload(api, file, (progress) => report({ progress }), signal);
    report({ progress: 1, file: uploaded, image: isImageType(uploaded.meta.content_type) });
    let status: string = uploaded.data.status ?? 'completed';
    let reason = uploaded.data.error;
    while (status === 'pending') {
      report({ state: 'processing' });
      await wait(STATUS_POLL_MS, signal);
      const answer = await filesApi.status(api, uploaded.id, signal);
      status = answer.status;
      reason = answer.error;
    }
    if (status === 'failed') report({ state: 'failed', error: new ProcessingFailed(reason) });
    else report({ state: 'ready' });
  } catch (error) {
    if (signal.aborted) return;
    report({ state: 'failed', error });
  }
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        window.clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      },
      { once: true },
    );
  });
}

/** What a message carries for the attachments that made it (Open WebUI's `files`). */
export function toMessageFiles(attachments: readonly Attachment[]): MessageFile[] {
  return attachments.flatMap((a): MessageFile[] =>
    a.state === 'ready' && a.file
      ? [
          {
            type: a.image ? 'image' : 'file',
            id: a.file.id,
            url: fileUrl(a.file.id),
            name: a.file.meta.name || a.name,
            size: a.file.meta.size,
            status: 'uploaded',
            content_type: a.file.meta.content_type,
          },
        ]
      : [],
  );
}
