import { DomainError, ErrorKind } from '@parley/errors';
import { AccessControl, checkAccessControlSize } from '@parley/grpc';

export interface Prompt {
  /** With its leading "/". */
  command: string;
  userId: string;
  title: string;
  content: string;
  accessControl: AccessControl | null;
  updatedAt: Date;
}

export type PromptInput = Pick<Prompt, 'command' | 'title' | 'content' | 'accessControl'>;

const COMMAND = /^\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const bad = (message: string) => new DomainError(ErrorKind.InvalidArgument, message);

/**
 * A command as stored: Open WebUI keeps the leading "/" (its frontend sends "/summarize" in bodies and
 * "summarize" in paths); either form names the same prompt here.
 */
export function normalizeCommand(command: string): string {
  const trimmed = command.trim();
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The rules a prompt's fields follow, whichever transport brought them. */
export function validatePromptInput(input: PromptInput): void {
  if (!COMMAND.test(input.command))
    throw bad(
      'command must be 1-128 characters after the "/": letters, digits and . _ - (starting with a letter or digit).',
    );
  if (!input.title.trim()) throw bad('title is required.');
  if (input.title.length > 200) throw bad('title must be at most 200 characters.');
  if (!input.content.trim()) throw bad('content is required.');
  if (input.content.length > 100_000) throw bad('content must be at most 100000 characters.');
  checkAccessControlSize(input.accessControl);
}
