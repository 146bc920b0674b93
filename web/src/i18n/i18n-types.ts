import type { en, MessageKey } from './en';

export type { MessageKey };

export type Locale = 'en' | 'de';

/** Every language has exactly the English keys (checked here and in i18n.spec.ts). */
export type Dictionary = Record<MessageKey, string>;

/** `'Hello {name}, {count} new'` → `'name' | 'count'`. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholderNames<Rest>
  : never;

export type MessageParams<K extends MessageKey> = Record<PlaceholderNames<(typeof en)[K]>, string | number>;

/** A key without placeholders takes no second argument; one with placeholders must get all of them. */
export type TranslateArgs<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never]
  ? []
  : [params: MessageParams<K>];

export type Translate = (<K extends MessageKey>(key: K, ...args: TranslateArgs<K>) => string) & {
  /** The language this function translates into. */
  readonly locale: Locale;
};
