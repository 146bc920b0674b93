// Wire shapes of the gateway's REST API (Open WebUI-compatible).

export type UserRole = 'admin' | 'user' | 'pending';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  profile_image_url: string;
}

export interface SignInResponse extends SessionUser {
  token: string;
  token_type: 'Bearer';
  expires_at: number | null;
}

export interface SignInRequest {
  email: string;
  password: string;
}

export interface SignUpRequest extends SignInRequest {
  name: string;
}

/** One row of `GET /api/v1/chats/`; timestamps are epoch seconds. */
export interface ChatListItem {
  id: string;
  title: string;
  updated_at: number;
  created_at: number;
  /** Sent by the list routes (not by every source of list items, e.g. socket events). */
  pinned?: boolean;
  folder_id?: string | null;
  share_id?: string | null;
  /** Tag names. */
  tags?: string[];
}

export interface ChatResponse extends ChatListItem {
  user_id: string;
  chat: { title: string; [key: string]: unknown };
}
