/** Every socket of a user joins this room; events for that user are emitted to it. */
export const userRoom = (userId: string): string => `user:${userId}`;

/** Sockets join a chat's room on request, after the chat service confirms the user may see the chat. */
export const chatRoom = (chatId: string): string => `chat:${chatId}`;

/** Sockets of admins: the active-user count goes here. */
export const ADMIN_ROOM = 'role:admin';
