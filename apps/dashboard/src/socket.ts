import { io, type Socket } from 'socket.io-client';
import type { ADMIN_NAMESPACE, AdminClientToServer, AdminServerToClient } from '@threadline/contracts';

export type AdminSocket = Socket<AdminServerToClient, AdminClientToServer>;
export type SocketFactory = () => AdminSocket;

// Type-only import keeps zod out of the bundle while tsc still pins the literal to the contract.
const namespace: typeof ADMIN_NAMESPACE = '/admin';

// The handshake is authenticated by the same httpOnly staff cookie as the REST calls.
export const connectAdminSocket: SocketFactory = () => io(namespace, { withCredentials: true });
