import { z } from '@parley/config';
import { promptsV1 } from '@parley/proto';
import { accessControlForm, accessControlJson, accessControlToProto } from '../access/access-control-json';

const text = (what: string) =>
  z.string({ required_error: 'is required', invalid_type_error: `must be ${what}` });

/**
 * Open WebUI's PromptForm. Its frontend sends the command with its leading "/" ("/summarize"); without
 * one it is added. access_control: null is public; absent is `{}`, private to the owner (Open WebUI's
 * default).
 */
export const promptForm = z.object({
  command: text('a string').min(1, 'must not be empty'),
  title: text('a string').min(1, 'must not be empty'),
  content: text('a string').min(1, 'must not be empty'),
  access_control: accessControlForm,
});
export type PromptForm = z.infer<typeof promptForm>;

/** The form as the model gateway's PromptInput. */
export function promptInput(form: PromptForm) {
  return {
    command: form.command,
    title: form.title,
    content: form.content,
    accessControl: accessControlToProto(form.access_control === undefined ? {} : form.access_control),
  };
}

/** A prompt in Open WebUI's PromptModel shape, plus write_access. */
export function promptJson(p: promptsV1.Prompt) {
  return {
    command: p.command,
    user_id: p.userId,
    title: p.title,
    content: p.content,
    timestamp: Number(p.timestamp),
    access_control: accessControlJson(p.accessControl),
    write_access: p.writable,
  };
}
